import type { CallOptions, Core } from '../call/core.js';
import type { Operation } from '../wire/schemas.js';
import * as operations from '../flows/operations.js';
import { defineCalls, type ApiCalls } from './define.js';

/** Options of `operations.wait`. */
export interface WaitOptions extends CallOptions {
  /** Seconds the server waits before answering with the still-running operation (default: until it ends). */
  seconds?: number | undefined;
}

/** The calls of `client.operations`, said as `(args…, options): result` (remote first, mutator last). */
export interface OperationCalls {
  /**
   * Reads an operation.
   * @throws {@link NotFoundError} when there is no such operation.
   * @example lxc.operations.info('local', id).then(op => op.status)
   */
  info(id: string, options: CallOptions): Operation;
  /**
   * Waits until an operation ends (or `seconds` pass) and resolves to it; a failed one rejects
   * with its `err`.
   * @example lxc.operations.wait('local', op.id).then(op => op.status)
   */
  wait(id: string, options: WaitOptions): Operation;
  /**
   * Cancels a running operation (when it `may_cancel`).
   * @example lxc.operations.cancel('local', op.id)
   */
  cancel(id: string, options: CallOptions): undefined;
}

/** Background operations: `client.operations` (see {@link OperationCalls}). */
export type Operations = ApiCalls<OperationCalls>;

/** Makes `client.operations`. */
export function createOperations(core: Core): Operations {
  return defineCalls<OperationCalls>(core, {
    info: (c, _o, id) => operations.operationInfo(c, id),
    wait: (c, o, id) => operations.waitFor(c, id, o.seconds),
    cancel: (c, _o, id) => operations.cancelOperationById(c, id),
  });
}
