import { z } from 'zod';
import { apiPath, type Context } from './context.js';
import { finish, splitTail, type CallOptions, type Mutator } from './mutator.js';
import { OperationSchema, type Operation } from './schemas.js';
import { classifyMessage } from './classify.js';
import { ValidationError } from './errors.js';

/** Options of {@link Operations.wait}. */
export interface WaitOptions extends CallOptions {
  /** Seconds the server waits before answering with the still-running operation. */
  seconds?: number;
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw new ValidationError('id', `not an operation id: ${JSON.stringify(id)}`);
  }
  return id;
}

/** Background operations: `client.operations`. */
export class Operations {
  /** @internal */
  constructor(private readonly ctx: Context) {}

  /**
   * Reads an operation.
   * @throws {@link NotFoundError} when there is no such operation.
   * @example lxc.operations.info('local', id).then(op => op.status)
   */
  async info<R = Operation>(
    remote: string | undefined,
    id: string,
    options?: CallOptions | Mutator<Operation, R>,
    mutator?: Mutator<Operation, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const op = await this.ctx.query(
      call,
      apiPath('1.0', 'operations', checkId(id)),
      OperationSchema,
    );
    return finish(op, mut);
  }

  /**
   * Waits until an operation ends and resolves to it; a failed operation rejects with its `err`.
   * @example lxc.operations.wait('local', op.id).then(op => op.status)
   */
  async wait<R = Operation>(
    remote: string | undefined,
    id: string,
    options?: WaitOptions | Mutator<Operation, R>,
    mutator?: Mutator<Operation, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const seconds = opts?.seconds ?? -1;
    if (!Number.isInteger(seconds)) throw new ValidationError('seconds', 'must be an integer');
    const path = `${apiPath('1.0', 'operations', checkId(id), 'wait')}?timeout=${seconds}`;
    const op = await this.ctx.query(call, path, OperationSchema);
    if (op.status_code >= 400 && op.err) {
      const ErrorClass = classifyMessage(op.err);
      throw new ErrorClass(op.err, { remote: call.remote });
    }
    return finish(op, mut);
  }

  /**
   * Cancels a running operation (when it `may_cancel`).
   * @example lxc.operations.cancel('local', op.id)
   */
  async cancel(remote: string | undefined, id: string, options?: CallOptions): Promise<void> {
    const call = this.ctx.resolve(remote, options);
    await this.ctx.query(call, apiPath('1.0', 'operations', checkId(id)), z.unknown(), {
      method: 'DELETE',
    });
  }
}
