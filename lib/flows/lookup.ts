import type { Call } from '../call/call.js';
import { NotFoundError } from '../wire/errors.js';
import type { Image, ImageAlias } from '../wire/schemas.js';
import {
  checkAlias,
  checkPropertyKey,
  checkRef,
  FULL_FINGERPRINT,
  isHex,
} from '../wire/validate.js';
import { aliasListRequest, aliasRequest } from '../requests/aliases.js';
import { imageRequest, refListRequest } from '../requests/images.js';
import { pickPrefix } from '../requests/pick.js';
import { resolveListed, type PublicListing, type PublicQuery } from '../requests/public-aliases.js';

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
 * Resolves `ref` on a public remote as `lxc image info` does (see {@link resolveListed}), listing
 * an alias's target when the listing narrowed to `ref` does not hold it.
 */
export async function resolvePublic(
  call: Call,
  listing: PublicListing,
  query: PublicQuery,
): Promise<Image> {
  const found = await resolveListed(listing, query);
  if (found === undefined) throw new NotFoundError('Image not found', { remote: call.remote });
  if (typeof found !== 'string') return found;
  return pickPrefix(await call.send(refListRequest(call.remote, found)), found);
}

/** The alias list of a public remote, read once when first asked for. */
export function aliasesOnce(call: Call): () => Promise<ImageAlias[]> {
  let aliases: Promise<ImageAlias[]> | undefined;
  return () => (aliases ??= call.send(aliasListRequest(call.remote, true)));
}

// Resolves `ref` on a public remote from its listing narrowed to it.
async function infoPublic(call: Call, query: PublicQuery): Promise<Image> {
  const images = await call.send(refListRequest(call.remote, query.ref));
  return resolvePublic(call, { images, aliases: aliasesOnce(call) }, query);
}

/**
 * Reads the image that a checked `ref` names, on any remote, simplestreams included
 * (`isPublic`: the remote's kind, when the caller has asked already).
 */
export async function infoImage(
  call: Call,
  ref: string,
  options: { type?: Image['type'] | undefined; isPublic?: boolean | undefined } = {},
): Promise<Image> {
  if (options.isPublic ?? (await call.isPublic()))
    return infoPublic(call, { ref, type: options.type, prefix: true });
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
  if (await call.isPublic()) return infoPublic(call, { ref: name, prefix: false });
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
