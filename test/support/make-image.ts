export * from '../../lib/testing/make-image.js';
