import type { CallOptions, Core, Mutator } from '../call/core.js';
import { cancelOperationById, operationInfo, waitFor } from '../requests/operations.js';
import type { Operation } from '../schemas.js';

/** Options of {@link Operations.wait}. */
export interface WaitOptions extends CallOptions {
  /** Seconds the server waits before answering with the still-running operation (default: until it ends). */
  seconds?: number | undefined;
}

/** Background operations: `client.operations`. */
export class Operations {
  /** @internal */
  constructor(private readonly core: Core) {}

  /**
   * Reads an operation.
   * @throws {@link NotFoundError} when there is no such operation.
   * @example lxc.operations.info('local', id).then(op => op.status)
   */
  info<R = Operation>(
    remote: string | undefined,
    id: string,
    options?: CallOptions | Mutator<Operation, R>,
    mutator?: Mutator<Operation, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => operationInfo(c, id));
  }

  /**
   * Waits until an operation ends (or `seconds` pass) and resolves to it; a failed one rejects
   * with its `err`.
   * @example lxc.operations.wait('local', op.id).then(op => op.status)
   */
  wait<R = Operation>(
    remote: string | undefined,
    id: string,
    options?: WaitOptions | Mutator<Operation, R>,
    mutator?: Mutator<Operation, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) => waitFor(c, id, o.seconds));
  }

  /**
   * Cancels a running operation (when it `may_cancel`).
   * @example lxc.operations.cancel('local', op.id)
   */
  cancel<R = undefined>(
    remote: string | undefined,
    id: string,
    options?: CallOptions | Mutator<undefined, R>,
    mutator?: Mutator<undefined, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => cancelOperationById(c, id));
  }
}
