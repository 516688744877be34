import { z } from 'zod';
import { apiPath, listing, type ApiRequest } from '../wire/request.js';
import { OperationSchema, type Operation } from '../wire/schemas.js';

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

const OperationsSchema = z
  .record(z.string(), z.array(OperationSchema).nullish())
  .nullish()
  .transform((byStatus) => Object.values(byStatus ?? {}).flatMap((list) => list ?? []));

/** `GET /1.0/operations?recursion=1`: every operation of the project, whatever its status. */
export function operationsRequest(): ApiRequest<Operation[]> {
  return listing('/1.0/operations', OperationsSchema);
}
