import type { Call } from '../call/call.js';
import { cancelRequest, operationRequest, settle, waitRequest } from '../call/operation.js';
import { LxcError, NotFoundError, ValidationError } from '../errors.js';
import type { Operation } from '../schemas.js';
import { shown } from '../validate.js';

/** Checks an operation id (a UUID, or any short id of letters, digits and `-`). */
export function checkOperationId(id: unknown): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw new ValidationError('id', `not an operation id: ${shown(id)}`);
  }
  return id;
}

/** Reads an operation. */
export function operationInfo(call: Call, id: unknown): Promise<Operation> {
  return call.send({ api: operationRequest(checkOperationId(id)) });
}

/**
 * Waits (up to `seconds` on the server, or until it ends) and resolves to the operation; a
 * failed one rejects with its classified error.
 */
export async function waitFor(call: Call, id: unknown, seconds: unknown): Promise<Operation> {
  const checkedId = checkOperationId(id);
  const limit = seconds ?? -1;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < -1)
    throw new ValidationError('seconds', 'must be an integer of -1 or more');
  let op: Operation;
  try {
    op = await call.send({ api: waitRequest(checkedId, limit) });
  } catch (error) {
    // Incus answers a wait that timed out (and a failed operation) with an error body
    if (!(error instanceof LxcError) || error instanceof NotFoundError || call.signal.aborted)
      throw error;
    op = await call.send({ api: operationRequest(checkedId) }).catch(() => {
      throw error;
    });
  }
  return op.status_code >= 400 && op.err !== '' ? settle(op, call.remote) : op;
}

/** Cancels a running operation (when it `may_cancel`). */
export async function cancelOperationById(call: Call, id: unknown): Promise<undefined> {
  await call.send({ api: cancelRequest(checkOperationId(id)) });
  return undefined;
}
