import { z } from 'zod';
import type { Call } from '../call/call.js';
import { readModifyWrite } from '../call/write-guard.js';
import { ValidationError } from '../errors.js';
import { OperationSchema, type Image, type Operation } from '../schemas.js';
import type { Reply } from '../transport/transport.js';
import { checkObject, checkProperties, checkPropertyKey, checkText } from '../validate.js';
import { getImage, resolveFingerprint } from './lookup.js';
import { apiPath, type ApiRequest } from './request.js';

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

const WritableSchema = z.strictObject({
  auto_update: z.boolean().optional(),
  properties: z.record(z.string(), z.string()).optional(),
  public: z.boolean().optional(),
  expires_at: z.union([z.date(), z.iso.datetime({ offset: true }), z.null()]).optional(),
  profiles: z.array(z.string().min(1)).optional(),
});

/**
 * LXD's zero-time rule: a zero time (0001) would keep the old expiry, so "never" (`null`) is
 * sent as the Unix epoch, which clears it (and reads back as `null`).
 */
export function expiryValue(at: Date | string | null): string {
  return at === null ? '1970-01-01T00:00:00Z' : new Date(at).toISOString();
}

/** Checks a PUT/PATCH body and turns it into LXD's JSON. */
export function writableBody(value: unknown, field: string): Record<string, unknown> {
  const result = WritableSchema.safeParse(checkObject(value, field));
  if (!result.success) throw new ValidationError(field, z.prettifyError(result.error));
  const body: Record<string, unknown> = { ...result.data };
  if (result.data.properties) checkProperties(result.data.properties, `${field}.properties`);
  if (result.data.expires_at !== undefined) body.expires_at = expiryValue(result.data.expires_at);
  return body;
}

/** The "merge over the current values" rule: a PUT body that changes only what `changes` names. */
export function mergeOverCurrent(
  current: Image,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  return {
    auto_update: current.auto_update,
    public: current.public,
    profiles: current.profiles,
    expires_at:
      current.expires_at === null ? '0001-01-01T00:00:00Z' : expiryValue(current.expires_at),
    properties: current.properties,
    ...changes,
  };
}

/** `PUT` or `PATCH /1.0/images/<fp>`, guarded by the ETag it was read with. */
export function imageWriteRequest(
  method: 'PUT' | 'PATCH',
  fingerprint: string,
  body: Record<string, unknown>,
  etag: string | undefined,
): ApiRequest {
  return {
    method,
    path: apiPath('1.0', 'images', fingerprint),
    body,
    etag,
    schema: z.unknown(),
  };
}

/** A write worked out from the image as it is now. */
export interface Change {
  method: 'PUT' | 'PATCH';
  body: Record<string, unknown>;
}

/** `replace`: a PUT of `body` over the current values (a bare PUT would reset `profiles`). */
export function replaceChange(body: Record<string, unknown>): (current: Image) => Change {
  return (current) => ({ method: 'PUT', body: mergeOverCurrent(current, body) });
}

/**
 * `update`: a PATCH, whose `properties` are merged in by the daemon. The daemons ignore
 * `profiles` and `expires_at` in a PATCH, so a patch with either is a PUT of the merged values.
 */
export function updateChange(patch: Record<string, unknown>): (current: Image) => Change {
  return (current) => {
    if (!('profiles' in patch) && !('expires_at' in patch)) return { method: 'PATCH', body: patch };
    const properties = {
      ...current.properties,
      ...(patch.properties as Record<string, string> | undefined),
    };
    return { method: 'PUT', body: mergeOverCurrent(current, { ...patch, properties }) };
  };
}

/** `setProperty`: a PATCH of one property. */
export function setPropertyChange(key: unknown, value: unknown): (current: Image) => Change {
  const body = { properties: { [checkPropertyKey(key)]: checkText(value, 'value') } };
  return updateChange(body);
}

/** `unsetProperty`: a PUT without the key (the `lxc` CLI only blanks it). */
export function unsetPropertyChange(key: unknown): (current: Image) => Change {
  const name = checkPropertyKey(key);
  return (current) => {
    const properties = Object.fromEntries(
      Object.entries(current.properties).filter(([k]) => k !== name),
    );
    return replaceChange({ properties })(current);
  };
}

/**
 * Writes an image without losing a concurrent change (see {@link readModifyWrite}): reads it
 * with its ETag, works out the change from it, sends it, and resolves to the image as it now is.
 */
export async function writeImage(
  call: Call,
  ref: string,
  change: (current: Image) => Change,
): Promise<Image> {
  const fingerprint = await resolveFingerprint(call, ref);
  const read = (): Promise<Reply<Image>> => getImage(call, fingerprint);
  return readModifyWrite(
    call,
    `image ${fingerprint}`,
    read,
    (current, etag) => {
      const { method, body } = change(current);
      return call.send({ api: imageWriteRequest(method, fingerprint, body, etag) });
    },
    async () => (await read()).data,
  );
}

/** `DELETE /1.0/images/<fp>`: waits for the operation, or resolves to it when `wait` is false. */
export function deleteRequest(
  fingerprint: string,
  wait: boolean,
): ApiRequest<Operation | undefined> {
  return {
    method: 'DELETE',
    path: apiPath('1.0', 'images', fingerprint),
    wait,
    schema: wait ? z.unknown().transform(() => undefined) : OperationSchema,
  };
}

/** Deletes an image (under the client's lock on it); resolves to the operation when not waiting. */
export async function deleteImage(
  call: Call,
  ref: string,
  wait: boolean,
): Promise<Operation | undefined> {
  const fingerprint = await resolveFingerprint(call, ref);
  return call.exclusive(`image ${fingerprint}`, () =>
    call.send({ api: deleteRequest(fingerprint, wait) }),
  );
}
