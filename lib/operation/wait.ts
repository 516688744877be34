import { errorFromMessage } from '../wire/classify.js';
import { LxcError, NotFoundError } from '../wire/errors.js';
import type { Lifetime, Send, Target } from '../wire/request.js';
import type { Operation } from '../wire/schemas.js';
import { operationRequest, waitRequest } from '../requests/operations.js';

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

/** Which operation to wait for, where, and how. */
export interface WaitSpec {
  send: Send;
  target: Target;
  id: string;
  signal: AbortSignal;
  /** Seconds the server waits before answering with the operation still running. */
  seconds: number;
  /** `cleanup` for a wait that cleans up after an aborted call. */
  lifetime?: Lifetime | undefined;
}

/**
 * One `GET /1.0/operations/<id>/wait?timeout=<seconds>`, resolving to the operation as it then
 * is (ended or still running). Incus answers a wait that timed out, and a failed operation,
 * with an error body: the operation itself is then read, and the error stands only when the
 * operation is still running and the error was not the wait's own timeout.
 */
export async function waitOnce(spec: WaitSpec): Promise<Operation> {
  const { send, target, id, signal, lifetime } = spec;
  try {
    return (await send(target, { api: waitRequest(id, spec.seconds), lifetime }, signal)).data;
  } catch (error) {
    if (signal.aborted || !(error instanceof LxcError) || error instanceof NotFoundError)
      throw error;
    const read = await send(target, { api: operationRequest(id), lifetime }, signal).catch(() => {
      throw error;
    });
    if (!hasEnded(read.data) && !/deadline exceeded|timeout/i.test(error.message)) throw error;
    return read.data;
  }
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
 * The one wait loop: waits until an operation ends, with `/wait?timeout=` in a loop (never the
 * events API, so no final event can be missed), and resolves to it; a failed one rejects with
 * its classified error.
 */
export async function waitOperation(spec: Omit<WaitSpec, 'seconds'> & WaitFor): Promise<Operation> {
  const seconds = spec.seconds ?? (spec.onRunning ? 1 : 30);
  for (;;) {
    const op = await waitOnce({ ...spec, seconds });
    if (hasEnded(op)) {
      const wait = ['GET', `${spec.target.remote}:/1.0/operations/${spec.id}/wait`];
      return settle(op, spec.target.remote, spec.command ?? wait);
    }
    spec.onRunning?.(op);
  }
}
