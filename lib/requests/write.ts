import { z } from 'zod';
import { apiPath, type ApiRequest, type Guard } from '../wire/request.js';
import type { Image } from '../wire/schemas.js';
import { imageRequest } from './images.js';

/**
 * LXD's zero-time rule: a zero time (0001) would keep the old expiry, so "never" (`null`) is
 * sent as the Unix epoch, which clears it (and reads back as `null`).
 */
export function expiryValue(at: Date | string | null): string {
  return at === null ? '1970-01-01T00:00:00Z' : new Date(at).toISOString();
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

/** `unsetProperty`'s rule: a PUT without the key (the `lxc` CLI only blanks it). */
export function withoutProperty(name: string): (current: Image) => Change {
  return (current) => {
    const properties = Object.fromEntries(
      Object.entries(current.properties).filter(([k]) => k !== name),
    );
    return replaceChange({ properties })(current);
  };
}

/** The lock key of an image: writes to one image run one at a time within a client. */
export function imageKey(fingerprint: string): string {
  return `image ${fingerprint}`;
}

/** A guarded write of an image: read it, send `change` of it with its ETag, read it back. */
export function imageGuard(fingerprint: string, change: (current: Image) => Change): Guard<Image> {
  return {
    key: imageKey(fingerprint),
    read: imageRequest(fingerprint),
    write: (current, etag) => {
      const { method, body } = change(current);
      return imageWriteRequest(method, fingerprint, body, etag);
    },
  };
}
