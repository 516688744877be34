import type { Call } from '../call/call.js';
import { NotFoundError } from '../wire/errors.js';
import type { Image } from '../wire/schemas.js';
import {
  checkAlias,
  checkPropertyKey,
  checkRef,
  FULL_FINGERPRINT,
  isHex,
} from '../wire/validate.js';
import { aliasRequest } from '../requests/aliases.js';
import { imageRequest, refListCommand } from '../requests/images.js';
import { pickImage } from '../requests/pick.js';

// Resolves `ref` on an LXD remote: aliases first (as the CLI does), then fingerprint or prefix.
async function infoPrivate(call: Call, ref: string): Promise<Image> {
  if (FULL_FINGERPRINT.test(ref)) return call.send({ api: imageRequest(ref) });
  try {
    const alias = await call.send({ api: aliasRequest(ref) });
    return await call.send({ api: imageRequest(alias.target) });
  } catch (error) {
    if (!(error instanceof NotFoundError) || !isHex(ref)) throw error;
  }
  return call.send({ api: imageRequest(ref.toLowerCase()) });
}

/**
 * Reads the image that a checked `ref` names, on any remote, simplestreams included
 * (`isPublic`: the remote's kind, when the caller has asked already).
 */
export async function infoImage(
  call: Call,
  ref: string,
  options: { type?: Image['type']; isPublic?: boolean | undefined } = {},
): Promise<Image> {
  if (options.isPublic ?? (await call.isPublic())) {
    const images = await call.send({ cli: refListCommand(call.remote, ref) });
    return pickImage(images, ref, call.remote, options.type);
  }
  return infoPrivate(call, ref);
}

/** Resolves a checked `ref` to a full fingerprint (a full one is taken as it is, without a request). */
export async function resolveFingerprint(call: Call, ref: string): Promise<string> {
  if (FULL_FINGERPRINT.test(ref)) return ref;
  return (await infoImage(call, ref)).fingerprint;
}

/** True when `read` finds the image, false for "not found". */
export async function found(read: Promise<unknown>): Promise<boolean> {
  try {
    await read;
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** `images.getByAlias`: reads the image an alias points at, on any remote. */
export async function getByAlias(call: Call, alias: unknown): Promise<Image> {
  const name = checkAlias(alias);
  if (await call.isPublic()) {
    const images = await call.send({ cli: refListCommand(call.remote, name) });
    const aliased = images.filter((i) => i.aliases.some((a) => a.name === name));
    return pickImage(aliased, name, call.remote);
  }
  const entry = await call.send({ api: aliasRequest(name) });
  return call.send({ api: imageRequest(entry.target) });
}

/** What reads one image by a checked ref (the client's coalescing reader). */
export type ReadImage = (call: Call, ref: string) => Promise<Image>;

/** `images.getProperty`: one property of an image, `undefined` when it is not set. */
export async function getProperty(
  call: Call,
  read: ReadImage,
  ref: unknown,
  key: unknown,
): Promise<string | undefined> {
  const checkedRef = checkRef(ref);
  const name = checkPropertyKey(key);
  const image = await read(call, checkedRef);
  return Object.hasOwn(image.properties, name) ? image.properties[name] : undefined;
}
