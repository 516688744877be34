import { NotFoundError } from '../wire/errors.js';
import type { Send, Target } from '../wire/request.js';
import type { Image, ImageAlias, Operation } from '../wire/schemas.js';
import { putAliasRequest } from '../requests/aliases.js';
import { deleteRequest, imageRequest } from '../requests/images.js';
import { withCleanup } from './cleanup.js';

/**
 * One step of undoing what an aborted call made, as data:
 * - `{deleteImage, since}`: delete the image if it is the call's own ({@link isOurs});
 * - `{restoreAlias}`: put an alias that the call moved back where it was.
 */
export type UndoStep =
  | { deleteImage: string; since: Date }
  | { restoreAlias: Pick<ImageAlias, 'name' | 'target' | 'description'> };

/**
 * The one ownership rule: an image is a call's to delete when it was uploaded at or after
 * `since`, the daemon's own time at which the operation that stored it began. Both times come
 * from the same daemon, so no clock of this machine takes part. An image the daemon already had
 * (a URL import or a pull of it succeeds anyway) was uploaded before, and stays.
 */
export function isOurs(image: Pick<Image, 'uploaded_at'>, since: Date): boolean {
  return image.uploaded_at !== null && image.uploaded_at >= since;
}

/**
 * The undo of an operation that stored an image: delete the image it names, if it is ours
 * (nothing when the operation names no image or no start time).
 */
export function deleteStored(op: Operation): UndoStep[] {
  const fingerprint = op.metadata.fingerprint;
  if (typeof fingerprint !== 'string' || op.created_at === null) return [];
  return [{ deleteImage: fingerprint, since: op.created_at }];
}

// Runs one step with `send`, within the cleanup time.
async function runStep(
  step: UndoStep,
  { send, target, signal }: { send: Send; target: Target; signal: AbortSignal },
): Promise<void> {
  if ('restoreAlias' in step) {
    const { name, target: fp, description } = step.restoreAlias;
    const put = putAliasRequest(name, fp, description, undefined);
    await send(target, { api: put, lifetime: 'cleanup' }, signal);
    return;
  }
  const read = await send(
    target,
    { api: imageRequest(step.deleteImage), lifetime: 'cleanup' },
    signal,
  ).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (read === undefined || !isOurs(read.data, step.since)) return;
  await send(target, { api: deleteRequest(step.deleteImage, true), lifetime: 'cleanup' }, signal);
}

/**
 * Runs undo steps in order, under their own cleanup deadline (not the aborted call's), each
 * request at once. A step that fails stops the rest; the error is the caller's to keep or drop.
 */
export async function runUndo(
  send: Send,
  target: Target,
  steps: readonly UndoStep[],
): Promise<void> {
  if (steps.length === 0) return;
  await withCleanup(async (signal) => {
    for (const step of steps) await runStep(step, { send, target, signal });
  });
}

/** What undoing needs: the seam, the target, and the call's signal. */
export interface UndoContext {
  send: Send;
  target: Target;
  signal: AbortSignal;
}

/**
 * Runs the rest of a call that has already changed its remote. When the call times out or is
 * aborted before `rest` ends, runs the undo `steps` (as they stand then) before rejecting, so
 * that nothing the call did stays behind.
 */
export async function undoOnAbort<T>(
  context: UndoContext,
  steps: () => readonly UndoStep[],
  rest: () => Promise<T>,
): Promise<T> {
  try {
    return await rest();
  } catch (error) {
    if (context.signal.aborted)
      await runUndo(context.send, context.target, steps()).catch(() => undefined);
    throw error;
  }
}
