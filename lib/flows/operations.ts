import type { Call } from '../call/call.js';
import type { Operation } from '../wire/schemas.js';
import { checkOperationId, checkWaitSeconds } from '../wire/checks.js';
import { cancelRequest, operationRequest } from '../requests/operations.js';
import { settle, waitOnce } from '../operation/wait.js';

/** `operations.info`: reads an operation. */
export function operationInfo(call: Call, id: unknown): Promise<Operation> {
  return call.send({ api: operationRequest(checkOperationId(id)) });
}

/**
 * `operations.wait`: waits (up to `seconds` on the server, or until it ends) and resolves to
 * the operation; a failed one rejects with its classified error.
 */
export async function waitFor(call: Call, id: unknown, seconds: unknown): Promise<Operation> {
  const checkedId = checkOperationId(id);
  const limit = checkWaitSeconds(seconds);
  const op = await waitOnce({ ...call.context, id: checkedId, seconds: limit });
  return op.status_code >= 400 && op.err !== '' ? settle(op, call.remote) : op;
}

/** `operations.cancel`: cancels a running operation (when it `may_cancel`). */
export async function cancelOperationById(call: Call, id: unknown): Promise<undefined> {
  await call.send({ api: cancelRequest(checkOperationId(id)) });
  return undefined;
}
