import { ConflictError } from '../wire/errors.js';
import type { Guard, Policy, Reply, Send, Target } from '../wire/request.js';
import { note } from '../wire/trace.js';
import type { KeyedLocks } from './locks.js';

/** How many times a write is tried when other processes keep changing its object (412). */
export const WRITE_ATTEMPTS = 8;

// True for the REST transport's answer to a stale If-Match.
function isStale(error: unknown): boolean {
  return error instanceof ConflictError && error.status === 412;
}

/**
 * A read-modify-write that loses nothing: reads with the ETag, sends the write the guard works
 * out (with `If-Match` over REST), and reads the result back. When another writer got there
 * first (412), reads again and re-applies the change, up to {@link WRITE_ATTEMPTS} times, then
 * a {@link ConflictError}.
 */
async function readModifyWrite<T>(
  guard: Guard<T>,
  { send, target, signal }: { send: Send; target: Target; signal: AbortSignal },
): Promise<Reply<T>> {
  for (let attempt = 1; ; attempt++) {
    const { data, etag } = await send(target, { api: guard.read }, signal);
    const write = guard.write(data, etag);
    try {
      if (write === undefined) return { data, etag };
      await send(target, { api: write }, signal);
      if (guard.readBack === false) return { data, etag };
      return await send(target, { api: guard.read }, signal);
    } catch (error) {
      if (!isStale(error)) throw error;
      if (attempt >= WRITE_ATTEMPTS) {
        throw new ConflictError(
          `${guard.key} kept changing: ${WRITE_ATTEMPTS} writes in a row met a newer version`,
          { remote: target.remote, cause: error },
        );
      }
      note(`${guard.key}: the ETag was stale, reading it again (attempt ${attempt + 1})`);
    }
  }
}

/**
 * The policy of writes: a request with a `guard` runs as a read-modify-write, and one with a
 * `lock` as it is; either while no other request of the client holds its key on that remote and
 * project, so that writes to one image or alias within a client run one after another.
 */
export function guarded(locks: KeyedLocks): Policy {
  return (next) => (target, request, signal) => {
    const key = request.guard?.key ?? request.lock;
    if (key === undefined) return next(target, request, signal);
    const scope = `${target.remote}\0${target.project ?? ''}\0${key}`;
    const { guard } = request;
    const task = guard
      ? () => readModifyWrite(guard, { send: next, target, signal })
      : () => next(target, { ...request, lock: undefined }, signal);
    return locks.run(scope, task, signal);
  };
}
