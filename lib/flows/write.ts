import type { Call } from '../call/call.js';
import type { Image, Operation } from '../wire/schemas.js';
import { checkWritable } from '../wire/checks.js';
import { checkPropertyKey, checkRef, checkText } from '../wire/validate.js';
import { deleteRequest } from '../requests/images.js';
import {
  expiryValue,
  imageGuard,
  imageKey,
  replaceChange,
  updateChange,
  withoutProperty,
  type Change,
} from '../requests/write.js';
import { resolveFingerprint } from './lookup.js';

/** The writable fields of an image (`PUT`/`PATCH` body). */
export interface ImageWritable {
  /** Keep the image up to date with its source. */
  auto_update?: boolean;
  /** Image properties (`os`, `release`…). */
  properties?: Record<string, string>;
  /** Whether untrusted clients may see the image. */
  public?: boolean;
  /** `Date`, an RFC 3339 string, or `null` for "never". */
  expires_at?: Date | string | null;
  /** Profiles applied to instances made from the image. */
  profiles?: string[];
}

/** Checks a PUT/PATCH body and turns it into LXD's JSON (the expiry as LXD takes it). */
export function writableBody(value: unknown, field: string): Record<string, unknown> {
  const checked = checkWritable(value, field);
  const body: Record<string, unknown> = { ...checked };
  if (checked.expires_at !== undefined) body.expires_at = expiryValue(checked.expires_at);
  return body;
}

/** `setProperty`'s change, its key and value checked: a PATCH of one property. */
export function setPropertyChange(key: unknown, value: unknown): (current: Image) => Change {
  const properties = { [checkPropertyKey(key)]: checkText(value, 'value') };
  return updateChange({ properties });
}

/**
 * Writes an image without losing a concurrent change: a guarded write (read with its ETag,
 * the change worked out from it, `If-Match`, read back), one at a time per image in the client.
 */
export async function writeImage(
  call: Call,
  ref: string,
  change: (current: Image) => Change,
): Promise<Image> {
  const fingerprint = await resolveFingerprint(call, ref);
  return call.send({ guard: imageGuard(fingerprint, change) });
}

/** `images.replace`: a PUT of the body over the current values. */
export function replaceImage(call: Call, fp: unknown, body: unknown): Promise<Image> {
  const ref = checkRef(fp, 'fp');
  return writeImage(call, ref, replaceChange(writableBody(body, 'body')));
}

/** `images.update`: a PATCH, properties merged in. */
export function updateImage(call: Call, fp: unknown, patch: unknown): Promise<Image> {
  const ref = checkRef(fp, 'fp');
  return writeImage(call, ref, updateChange(writableBody(patch, 'patch')));
}

/** `images.setProperty`: a PATCH of one property. */
export function setProperty(
  call: Call,
  ref: unknown,
  key: unknown,
  value: unknown,
): Promise<Image> {
  const checkedRef = checkRef(ref);
  return writeImage(call, checkedRef, setPropertyChange(key, value));
}

/** `unsetProperty`'s change, its key checked: a PUT without the key. */
export function unsetPropertyChange(key: unknown): (current: Image) => Change {
  return withoutProperty(checkPropertyKey(key));
}

/** `images.unsetProperty`: a PUT without the key. */
export function unsetProperty(call: Call, ref: unknown, key: unknown): Promise<Image> {
  const checkedRef = checkRef(ref);
  return writeImage(call, checkedRef, unsetPropertyChange(key));
}

/** `images.delete`: deletes an image (under the client's lock on it); the operation when not waiting. */
export async function deleteImage(
  call: Call,
  ref: unknown,
  wait: boolean,
): Promise<Operation | undefined> {
  const fingerprint = await resolveFingerprint(call, checkRef(ref));
  return call.send({ api: deleteRequest(fingerprint, wait), lock: imageKey(fingerprint) });
}
