import { z } from 'zod';
import { errorFromMessage } from '../classify.js';
import { LxcError, NotFoundError } from '../errors.js';
import { apiPath, type ApiRequest, type Request, type Target } from '../requests/request.js';
import { OperationSchema, type Operation } from '../schemas.js';
import type { Reply } from '../transport/transport.js';
import { startDeadline } from './deadline.js';

/** Sends one request: a transport's `send`, or a call's scheduled one. */
export type Send = <T>(
  target: Target,
  request: Request<T>,
  signal: AbortSignal,
) => Promise<Reply<T>>;

/** How long cleanup after an abort may take (cancelling, then removing what still landed). */
export const CLEANUP_MS = 30_000;

/**
 * Runs `task` with a signal of its own that fires after {@link CLEANUP_MS}, not with the call's:
 * for work that must go on once the call is aborted (cleanup, or a request that must not be cut
 * mid-flight), yet must not hang forever on a daemon that stopped answering.
 */
export async function withCleanup<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = startDeadline(CLEANUP_MS, undefined);
  try {
    return await task(deadline.signal);
  } finally {
    deadline.dispose();
  }
}

const path = (id: string, ...rest: string[]): string => apiPath('1.0', 'operations', id, ...rest);

/** `GET /1.0/operations/<id>` */
export function operationRequest(id: string): ApiRequest<Operation> {
  return { method: 'GET', path: path(id), schema: OperationSchema };
}

/** `GET /1.0/operations/<id>/wait?timeout=<seconds>` (-1: until it ends). */
export function waitRequest(id: string, seconds: number): ApiRequest<Operation> {
  return {
    method: 'GET',
    path: path(id, 'wait'),
    query: { timeout: String(seconds) },
    schema: OperationSchema,
  };
}

/** `DELETE /1.0/operations/<id>`: cancels an operation that `may_cancel`. */
export function cancelRequest(id: string): ApiRequest {
  return { method: 'DELETE', path: path(id), schema: z.unknown() };
}

/** True once an operation has ended (success, failure or cancelled). */
export function hasEnded(op: Operation): boolean {
  return op.status_code >= 200 && op.status_code !== 103 && op.status_code !== 105;
}

/** Resolves to an ended operation that succeeded; rejects with its error otherwise. */
export function settle(op: Operation, remote: string, command?: readonly string[]): Operation {
  if (op.status_code === 200) return op;
  const message = op.err || `the operation ended as ${op.status}`;
  throw errorFromMessage(message, { remote, command, stdout: JSON.stringify(op) });
}

/** Options of {@link waitOperation}. */
export interface WaitFor {
  /** Receives the operation each time it is read while it runs (its metadata has the progress). */
  onRunning?: ((op: Operation) => void) | undefined;
  /** Seconds each wait may take on the server (default 30; 1 when `onRunning` is set). */
  seconds?: number | undefined;
  /** The request that started the operation, named in its error (default: the wait itself). */
  command?: readonly string[] | undefined;
}

/**
 * Waits until an operation ends, with `/wait?timeout=` in a loop (never the events API, so no
 * final event can be missed), and resolves to it; a failed one rejects with its classified
 * error. Incus answers a wait that timed out with an error body: the operation itself is then
 * read to tell a running operation from a failed one.
 */
export async function waitOperation(
  send: Send,
  target: Target,
  id: string,
  signal: AbortSignal,
  options: WaitFor = {},
): Promise<Operation> {
  const seconds = options.seconds ?? (options.onRunning ? 1 : 30);
  for (;;) {
    let op: Operation;
    try {
      op = (await send(target, { api: waitRequest(id, seconds) }, signal)).data;
    } catch (error) {
      if (signal.aborted || !(error instanceof LxcError) || error instanceof NotFoundError)
        throw error;
      op = (await send(target, { api: operationRequest(id) }, signal)).data;
      if (!hasEnded(op) && !/deadline exceeded|timeout/i.test(error.message)) throw error;
    }
    if (hasEnded(op)) {
      const command = options.command ?? ['GET', `${target.remote}:${path(id, 'wait')}`];
      return settle(op, target.remote, command);
    }
    options.onRunning?.(op);
  }
}

/** Removes what an operation created after all; `send` reaches its remote within the cleanup time. */
export type Undo = (op: Operation, send: <T>(request: Request<T>) => Promise<T>) => Promise<void>;

/**
 * Cancels an operation after its call was aborted, within {@link CLEANUP_MS} of its own. When
 * the operation cannot be cancelled, waits for it to end and hands the finished operation to
 * `undo` (which removes what it created), so that nothing lands after an abort.
 */
export async function cancelOperation(
  send: Send,
  target: Target,
  id: string,
  undo?: Undo,
): Promise<void> {
  await withCleanup(async (signal) => {
    let op = (await send(target, { api: operationRequest(id) }, signal)).data;
    if (!hasEnded(op) && op.may_cancel) {
      await send(target, { api: cancelRequest(id) }, signal).catch(() => undefined);
    }
    if (!hasEnded(op)) op = await waitOperation(send, target, id, signal);
    if (op.status_code === 200 && undo) {
      await undo(op, async (request) => (await send(target, request, signal)).data);
    }
  }).catch(() => {
    // the operation is gone, or the daemon with it: nothing more can be done
  });
}

/**
 * Waits for an operation with `send`; when `signal` fires, cancels it with `cleanup` (or, when
 * it cannot be cancelled, lets it end and runs `undo`) before rejecting.
 */
export async function waitOrCancel(
  send: Send,
  cleanup: Send,
  target: Target,
  id: string,
  signal: AbortSignal,
  options: WaitFor = {},
  undo?: Undo,
): Promise<Operation> {
  try {
    return await waitOperation(send, target, id, signal, options);
  } catch (error) {
    if (signal.aborted) await cancelOperation(cleanup, target, id, undo);
    throw error;
  }
}
