import { readFileSync } from 'node:fs';
import sinon from 'sinon';
import { toLxcError } from '../../lib/classify.js';
import { createClient, type Client, type ClientOptions } from '../../lib/client.js';
import type { LxcError } from '../../lib/errors.js';
import type { Runner, RunResult } from '../../lib/runner.js';

/** A sinon stub that stands in for the process runner. */
export type RunStub = sinon.SinonStub<Parameters<Runner>, ReturnType<Runner>>;

/** The full fingerprint of the fixtures' image `F0` (aliases `a`, `zz2`, `p/q r`). */
export const F0 = 'a50c5e35630a5b596e7965957d6c6028d11512441c6676f4bf096e713feac144';
/** The fingerprint of `F1` (alias `t0`). */
export const F1 = '57665963453037d1bc470b55cd3cd624cb11d29899689deda29326fc9a1fad3d';

/** The raw stdout bytes of a fixture from `test/fixtures`. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

/** A successful run that printed `stdout`. */
export function ok(stdout = ''): RunResult {
  return { stdout, stderr: '' };
}

/** The error the real runner gives when the CLI prints `Error: <message>` and exits 1. */
export function cliError(message: string, command: readonly string[] = ['lxc', 'query']): LxcError {
  return toLxcError({ command, exitCode: 1, stderr: `Error: ${message}\n` });
}

/** Settles `promise` to its rejection reason (or `undefined` if it resolved). */
export function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** A fresh runner stub and a client that uses it. */
export function stubClient(options: Omit<ClientOptions, 'runner'> = {}): {
  run: RunStub;
  client: Client;
} {
  const run: RunStub = sinon.stub<Parameters<Runner>, ReturnType<Runner>>();
  return { run, client: createClient({ ...options, runner: run }) };
}

/** The argv of the stub's `n`th call. */
export function argv(run: RunStub, n = 0): readonly string[] {
  return run.getCall(n).args[0];
}

/** The JSON body sent with `--data=` in the stub's `n`th call. */
export function body(run: RunStub, n = 0): unknown {
  const data = argv(run, n).find((arg) => arg.startsWith('--data='));
  return data === undefined ? undefined : JSON.parse(data.slice('--data='.length));
}
