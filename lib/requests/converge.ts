import type { Guard } from '../wire/request.js';
import type { Image } from '../wire/schemas.js';
import type { Desired } from '../wire/checks-rollout.js';
import { imageRequest } from './images.js';
import { expiryValue, imageKey, imageWriteRequest, mergeOverCurrent } from './write.js';

// The rule of converging an image's fields: which differ from what is asked, and the one write.

// True when two expiries are the same to the second (LXD keeps whole seconds); `null` is never.
function sameExpiry(current: Date | null, wanted: Date | null): boolean {
  if (current === null || wanted === null) return current === wanted;
  return Math.floor(current.getTime() / 1000) === Math.floor(wanted.getTime() / 1000);
}

// True when two lists hold the same names in the same order.
function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * The fields of `current` that differ from `desired`, by their LXD names (`properties`,
 * `public`, `auto_update`, `profiles`, `expires_at`). `properties` differ when one of the asked
 * keys has another value: they are merged over the image's own, never replaced.
 */
export function differences(current: Image, desired: Desired): string[] {
  const fields: string[] = [];
  const { properties } = desired;
  if (properties && Object.entries(properties).some(([k, v]) => current.properties[k] !== v))
    fields.push('properties');
  if (desired.public !== undefined && desired.public !== current.public) fields.push('public');
  if (desired.autoUpdate !== undefined && desired.autoUpdate !== current.auto_update)
    fields.push('auto_update');
  if (desired.profiles !== undefined && !sameList(desired.profiles, current.profiles))
    fields.push('profiles');
  if (desired.expiresAt !== undefined && !sameExpiry(current.expires_at, desired.expiresAt))
    fields.push('expires_at');
  return fields;
}

/** The PUT body that gives `current` the `desired` fields (the others as they are). */
export function convergedBody(current: Image, desired: Desired): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (desired.properties) changes.properties = { ...current.properties, ...desired.properties };
  if (desired.public !== undefined) changes.public = desired.public;
  if (desired.autoUpdate !== undefined) changes.auto_update = desired.autoUpdate;
  if (desired.profiles !== undefined) changes.profiles = desired.profiles;
  if (desired.expiresAt !== undefined) changes.expires_at = expiryValue(desired.expiresAt);
  return mergeOverCurrent(current, changes);
}

/**
 * The one guarded write that converges an image: read with its ETag, a PUT of the merged
 * fields when any differs (nothing otherwise), read back.
 */
export function convergeGuard(fingerprint: string, desired: Desired): Guard<Image> {
  return {
    key: imageKey(fingerprint),
    read: imageRequest(fingerprint),
    write: (current, etag) =>
      differences(current, desired).length === 0
        ? undefined
        : imageWriteRequest('PUT', fingerprint, convergedBody(current, desired), etag),
  };
}
