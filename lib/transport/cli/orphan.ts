import { setTimeout as sleep } from 'node:timers/promises';
import type { Send, Target } from '../../wire/request.js';
import type { Operation } from '../../wire/schemas.js';
import { operationsRequest } from '../../requests/operations.js';
import { withCleanup } from '../../operation/cleanup.js';
import { deleteStored, runUndo } from '../../operation/undo.js';
import { waitOperation } from '../../operation/wait.js';

// An import task that may be the killed client's: one that runs now, naming no other image (its
// fingerprint shows only once it has ended, on some daemons). One that had ended already is
// someone else's: the client prints its operation as soon as the daemon has made it.
function maybeMine(op: Operation, fingerprint: string): boolean {
  const named = op.metadata.fingerprint;
  return (
    op.class === 'task' && op.status_code < 200 && (named === undefined || named === fingerprint)
  );
}

/**
 * Undoes an upload (or a relay) whose client was killed after it had sent the whole image but
 * before it printed the operation: the daemon stores the image anyway. Waits for the import
 * tasks that may be the client's (an upload cannot be cancelled) and undoes the one that stored
 * the image (`image`: its fingerprint, worked out only now when it is a function), by the one
 * ownership rule (uploaded since that task began, both on the daemon's clock). Gives up after
 * a short while: a client killed mid-upload leaves nothing.
 */
export async function sweepStored(
  send: Send,
  target: Target,
  image: string | (() => Promise<string>),
): Promise<void> {
  await withCleanup(async (signal) => {
    const fingerprint = typeof image === 'string' ? image : await image();
    for (let attempt = 0; attempt < 10; attempt++) {
      const list = await send(target, { api: operationsRequest(), lifetime: 'cleanup' }, signal);
      for (const op of list.data.filter((o) => maybeMine(o, fingerprint))) {
        const wait = { send, target, id: op.id, signal, lifetime: 'cleanup' as const };
        const ended =
          op.status_code === 200 ? op : await waitOperation(wait).catch(() => undefined);
        if (ended?.metadata.fingerprint === fingerprint) {
          await runUndo(send, target, deleteStored(ended));
          return;
        }
      }
      await sleep(200, undefined, { signal });
    }
  });
}
