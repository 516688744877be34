import sinon from 'sinon';
import { readFileSync } from 'node:fs';
import { errorFromMessage } from '../../lib/wire/classify.js';
import type { LxcError, LxcErrorDetails } from '../../lib/wire/errors.js';
import type { Runner, RunResult } from '../../lib/transport/cli/runner.js';

/** A sinon stub that stands in for the process runner (CLI transport tests). */
export type RunStub = sinon.SinonStub<Parameters<Runner>, ReturnType<Runner>>;

/** The full fingerprint of the fixtures' image `F0` (aliases `a`, `zz2`, `p/q r`). */
export const F0 = 'a50c5e35630a5b596e7965957d6c6028d11512441c6676f4bf096e713feac144';
/** The fingerprint of `F1` (alias `t0`). */
export const F1 = '57665963453037d1bc470b55cd3cd624cb11d29899689deda29326fc9a1fad3d';
/** An operation id. */
export const OP_ID = '9f938863-13b2-4f03-8bd8-5493fd58781c';

/** The raw stdout bytes of a fixture from `test/fixtures`. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

/** A fixture operation (`operation-delete.lxd.json`) with some fields changed, as JSON text. */
export function operation(fields: Record<string, unknown> = {}): string {
  const op = JSON.parse(fixture('operation-delete.lxd.json')) as Record<string, unknown>;
  return JSON.stringify({ ...op, id: OP_ID, ...fields });
}

/** A successful run that printed `stdout`. */
export function ok(stdout = ''): RunResult {
  return { stdout, stderr: '' };
}

/** A fresh runner stub that resolves with empty output. */
export function stubRunner(): RunStub {
  return sinon.stub<Parameters<Runner>, ReturnType<Runner>>().resolves(ok(''));
}

/** The error the real runner gives when the CLI prints `Error: <message>` and exits 1. */
export function cliError(message: string, details: LxcErrorDetails = {}): LxcError {
  return errorFromMessage(message, {
    command: ['lxc', 'query'],
    exitCode: 1,
    stderr: `Error: ${message}\n`,
    ...details,
  });
}

/** Settles `promise` to its rejection reason (or `undefined` if it resolved). */
export function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** What `fn` throws (or `undefined` if it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Resolves after the pending I/O callbacks and microtasks have run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The fixture image `10abec69…`, which lists no alias. */
export const F_ARM = '10abec69e8d54aa8bd4821f114ea22ef3ee55444f3717a574a2793d3def38ec1';

/**
 * What `image alias list images: --format=json` prints for the listing `SS_LIST` on a
 * simplestreams remote: the aliases its images show, and `arm/1`, the short alias of an arm64
 * product (`F_ARM`), which no image of the listing shows on an amd64 host.
 */
export const SS_ALIASES = JSON.stringify(
  [
    ['a', F0],
    ['zz2', F0],
    ['p/q r', F0],
    ['t0', F1],
    ['split', 'eb8e988623d078afbaead7f22a7ea29a16a4da92017f1d66816bc47efebe911c'],
    ['arm/1', F_ARM],
    ['arm/1/arm64', F_ARM],
  ].map(([name, target]) => ({ description: '', name, target, type: 'container' })),
);

/**
 * `image-list.lxd.json` as a simplestreams remote lists it when `F_ARM` is an arm64 product
 * with the alias `arm/1`: on an amd64 host it shows only the alias's medium form, `arm/1/arm64`.
 */
export const SS_LIST = JSON.stringify(
  (JSON.parse(fixture('image-list.lxd.json')) as { fingerprint: string }[]).map((image) =>
    image.fingerprint === F_ARM
      ? { ...image, architecture: 'aarch64', aliases: [{ name: 'arm/1/arm64', description: '' }] }
      : image,
  ),
);
