import type { ApiRequest, Send, Target } from '../wire/request.js';
import type { Operation } from '../wire/schemas.js';
import { waitOrCancel, type OperationUndo } from './cancel.js';
import type { WaitFor } from './wait.js';

/** A request that starts an operation, and how to wait for it. */
export interface OperationRun extends WaitFor {
  send: Send;
  target: Target;
  signal: AbortSignal;
  /** The request that starts the operation. */
  start: ApiRequest<Operation>;
  /** What to undo when the call is aborted and the operation cannot be cancelled. */
  undo?: OperationUndo;
  /** Receives the operation once it has started. */
  onStart?: ((op: Operation) => void) | undefined;
}

/**
 * Starts an operation and waits for it to end: the request is sent `uncut`, and an abort while
 * waiting cancels the operation (or, when it cannot be cancelled, waits for it and undoes it)
 * before rejecting. Resolves to the finished operation.
 */
export async function runOperation(run: OperationRun): Promise<Operation> {
  const { send, target, signal } = run;
  const op = (await send(target, { api: run.start, lifetime: 'uncut' }, signal)).data;
  run.onStart?.(op);
  return waitOrCancel({ ...run, id: op.id });
}

/** Starts an operation (or a token) that the caller waits for or cancels later. */
export async function startOperation(
  run: Pick<OperationRun, 'send' | 'target' | 'signal' | 'start'>,
): Promise<Operation> {
  return (await run.send(run.target, { api: run.start, lifetime: 'uncut' }, run.signal)).data;
}
