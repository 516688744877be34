import type { Send, Target } from '../wire/request.js';
import type { Operation } from '../wire/schemas.js';
import { cancelRequest, operationRequest } from '../requests/operations.js';
import { withCleanup } from './cleanup.js';
import { deleteStored, runUndo } from './undo.js';
import { hasEnded, waitOperation, type WaitFor } from './wait.js';

/** What to undo when an operation that could not be cancelled ends anyway: `'stored'` deletes the image it stored (if ours). */
export type OperationUndo = 'stored' | undefined;

/** An operation of a call, and how to wait for it. */
export interface Watched extends WaitFor {
  send: Send;
  target: Target;
  id: string;
  /** What to undo when it cannot be cancelled. */
  undo?: OperationUndo;
}

/**
 * Cancels an operation after its call was aborted, within the cleanup time. When the operation
 * cannot be cancelled, waits for it to end and undoes it (`undo`), so that nothing lands after
 * an abort. Never rejects: when the operation is gone, or the daemon with it, nothing more can
 * be done.
 */
export async function cancelOperation(op: Omit<Watched, keyof WaitFor>): Promise<void> {
  const { send, target, id } = op;
  await withCleanup(async (signal) => {
    let read = (await send(target, { api: operationRequest(id), lifetime: 'cleanup' }, signal))
      .data;
    if (!hasEnded(read) && read.may_cancel) {
      await send(target, { api: cancelRequest(id), lifetime: 'cleanup' }, signal).catch(
        () => undefined,
      );
    }
    if (!hasEnded(read))
      read = await waitOperation({ send, target, id, signal, lifetime: 'cleanup' });
    if (read.status_code === 200 && op.undo === 'stored')
      await runUndo(send, target, deleteStored(read));
  }).catch(() => undefined);
}

/**
 * Waits for an operation of a call; when `signal` fires, cancels it (or, when it cannot be
 * cancelled, lets it end and undoes it) before rejecting.
 */
export async function waitOrCancel(op: Watched & { signal: AbortSignal }): Promise<Operation> {
  try {
    return await waitOperation(op);
  } catch (error) {
    if (op.signal.aborted) await cancelOperation(op);
    throw error;
  }
}
