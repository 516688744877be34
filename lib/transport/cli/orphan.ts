import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { waitOperation, withCleanup, type Send } from '../../call/operation.js';
import { NotFoundError } from '../../errors.js';
import { sha256Files } from '../../hash.js';
import { undoImport } from '../../requests/import.js';
import { imageRequest } from '../../requests/lookup.js';
import type { Target } from '../../requests/request.js';
import { OperationSchema, type Image } from '../../schemas.js';
import { deleteRequest } from '../../requests/write.js';

const OperationsSchema = z.record(z.string(), z.array(OperationSchema).nullish()).nullish();

/**
 * Undoes an upload whose client was killed after it had sent the whole image but before it
 * printed the operation: the daemon stores the image anyway. Waits for the import operations
 * begun since `since` (an upload cannot be cancelled) and deletes the image of one that stored
 * these files' fingerprint, or deletes that image when it was uploaded since `since`. Gives up
 * after a short while: a client killed mid-upload leaves nothing.
 */
export async function sweepUpload(
  send: Send,
  target: Target,
  files: readonly string[],
  since: number,
): Promise<void> {
  await withCleanup(async (signal) => {
    const fetch = async <T>(request: Parameters<Send>[1]): Promise<T> =>
      (await send(target, request, signal)).data as T;
    const fingerprint = await sha256Files(...files);
    for (let attempt = 0; attempt < 10; attempt++) {
      const ops = await fetch<z.output<typeof OperationsSchema>>({
        api: {
          method: 'GET',
          path: '/1.0/operations',
          query: { recursion: '1' },
          schema: OperationsSchema,
        },
      });
      // an import's operation names its fingerprint, on some daemons only once it has ended:
      // any task begun since the upload that names no other image may be ours
      const maybeMine = Object.values(ops ?? {})
        .flatMap((list) => list ?? [])
        .filter(
          (op) =>
            op.status_code < 200 &&
            op.class === 'task' &&
            (op.created_at?.getTime() ?? 0) >= since - 1000 &&
            [undefined, fingerprint].includes(op.metadata.fingerprint as string | undefined),
        );
      for (const op of maybeMine) {
        const ended = await waitOperation(send, target, op.id, signal).catch(() => undefined);
        if (ended?.metadata.fingerprint === fingerprint) {
          await undoImport(ended, fetch);
          return;
        }
      }
      const image = await fetch<Image>({ api: imageRequest(fingerprint) }).catch(
        (error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        },
      );
      if (image?.uploaded_at && image.uploaded_at.getTime() >= since - 1000) {
        await fetch({ api: deleteRequest(fingerprint, true) });
        return;
      }
      await sleep(200, undefined, { signal });
    }
  });
}
