import type { Call } from '../call/call.js';
import { OperationSchema, type Operation } from '../schemas.js';
import { checkRef } from '../validate.js';
import { resolveFingerprint } from './lookup.js';
import { apiPath, type ApiRequest } from './request.js';

/** What `images.createSecret` resolves to. */
export interface ImageSecret {
  /** The single-use secret. */
  secret: string;
  /** The token operation; it stays running until the secret is used or cancelled. */
  operation: Operation;
}

const SecretOperationSchema = OperationSchema.refine(
  (op) => typeof op.metadata.secret === 'string',
  { message: 'the operation has no metadata.secret' },
);

/** `POST /1.0/images/<fp>/secret`: a token operation with the secret in its metadata. */
export function secretRequest(fingerprint: string): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: apiPath('1.0', 'images', fingerprint, 'secret'),
    schema: SecretOperationSchema,
  };
}

/** Creates a single-use secret that lets an untrusted client fetch a private image. */
export async function createSecret(call: Call, ref: unknown): Promise<ImageSecret> {
  const fingerprint = await resolveFingerprint(call, checkRef(ref));
  const operation = await call.start({ api: secretRequest(fingerprint) });
  return { secret: String(operation.metadata.secret), operation };
}
