import { ConflictError } from '../errors.js';
import { note } from '../trace.js';
import type { Reply } from '../transport/transport.js';
import type { Call } from './call.js';

/** How many times a write is tried when other processes keep changing its object (412). */
export const WRITE_ATTEMPTS = 8;

// True for the REST transport's answer to a stale If-Match.
function isStale(error: unknown): boolean {
  return error instanceof ConflictError && error.status === 412;
}

/**
 * A read-modify-write that loses nothing. Within the client, writes to `key` run one at a time.
 * Across processes, `write` sends `If-Match` with the ETag that `read` saw (REST); when another
 * writer got there first (412), the object is read again and the change re-applied, up to
 * {@link WRITE_ATTEMPTS} times, then a {@link ConflictError}. `after` runs under the same lock
 * (to read the result back).
 */
export function readModifyWrite<T, R>(
  call: Call,
  key: string,
  read: () => Promise<Reply<T>>,
  write: (current: T, etag: string | undefined) => Promise<unknown>,
  after: () => Promise<R>,
): Promise<R> {
  return call.exclusive(key, async () => {
    for (let attempt = 1; ; attempt++) {
      const { data, etag } = await read();
      try {
        await write(data, etag);
        return await after();
      } catch (error) {
        if (!isStale(error)) throw error;
        if (attempt >= WRITE_ATTEMPTS) {
          throw new ConflictError(
            `${key} kept changing: ${WRITE_ATTEMPTS} writes in a row met a newer version`,
            { remote: call.remote, cause: error },
          );
        }
        note(`${key}: the ETag was stale, reading it again (attempt ${attempt + 1})`);
      }
    }
  });
}
