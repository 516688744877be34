// The throwaway CA lives in the testing entry point; the specs keep importing it from here.
export { makeTestCa, type TestCa } from '../../lib/testing/tls.js';
