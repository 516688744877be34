import type { Call } from '../call/call.js';
import type { Operation } from '../wire/schemas.js';
import { checkRef } from '../wire/validate.js';
import { secretRequest } from '../requests/images.js';
import { startOperation } from '../operation/run.js';
import { resolveFingerprint } from './lookup.js';

/** What `images.createSecret` resolves to. */
export interface ImageSecret {
  /** The single-use secret. */
  secret: string;
  /** The token operation; it stays running until the secret is used or cancelled. */
  operation: Operation;
}

/** `images.createSecret`: a single-use secret that lets an untrusted client fetch a private image. */
export async function createSecret(call: Call, ref: unknown): Promise<ImageSecret> {
  const fingerprint = await resolveFingerprint(call, checkRef(ref));
  const operation = await startOperation({ ...call.context, start: secretRequest(fingerprint) });
  return { secret: String(operation.metadata.secret), operation };
}
