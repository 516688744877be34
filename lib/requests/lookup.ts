import { z } from 'zod';
import type { Call } from '../call/call.js';
import { LxcError, NotFoundError } from '../errors.js';
import { parseJson } from '../parse.js';
import {
  ImageAliasSchema,
  ImageListSchema,
  ImageSchema,
  type Image,
  type ImageAlias,
} from '../schemas.js';
import type { Reply } from '../transport/transport.js';
import { FULL_FINGERPRINT, isHex } from '../validate.js';
import { aliasListCommand, listedAlias, shownAlias } from './public-aliases.js';
import { apiPath, type ApiRequest, type CliRequest } from './request.js';

/** `GET /1.0/images/<fingerprint or prefix>` */
export function imageRequest(fingerprint: string): ApiRequest<Image> {
  return { method: 'GET', path: apiPath('1.0', 'images', fingerprint), schema: ImageSchema };
}

/** `GET /1.0/images/aliases/<name>` */
export function aliasRequest(name: string): ApiRequest<ImageAlias> {
  return {
    method: 'GET',
    path: apiPath('1.0', 'images', 'aliases', name),
    schema: ImageAliasSchema,
  };
}

/** `GET /1.0/images?recursion=1`: every image of the project, in one request. */
export function allImagesRequest(): ApiRequest<Image[]> {
  return { method: 'GET', path: '/1.0/images', query: { recursion: '1' }, schema: ImageListSchema };
}

/** `GET /1.0/images?recursion=1&filter=fingerprint eq A or …`: just these images (`api_filtering`). */
export function someImagesRequest(fingerprints: readonly string[]): ApiRequest<Image[]> {
  const filter = fingerprints.map((fp) => `fingerprint eq ${fp}`).join(' or ');
  return { ...allImagesRequest(), query: { recursion: '1', filter } };
}

/** `image list <remote>: <filters> --format=json`: the CLI's listing, which reads simplestreams too. */
export function imageListCommand(remote: string, filters: readonly string[]): CliRequest<Image[]> {
  return {
    args: ['image', 'list', `${remote}:`, ...filters, '--format=json'],
    parse: (stdout) => parseJson(ImageListSchema, stdout, { remote }),
  };
}

/** The CLI listing narrowed to what `ref` may name (not by a ref that looks like `k=v`). */
export function refListCommand(remote: string, ref: string): CliRequest<Image[]> {
  return imageListCommand(remote, ref.includes('=') ? [] : [ref]);
}

/** Picks `ref` (alias, fingerprint or unique prefix) out of a list of images, as LXD would. */
export function pickImage(
  images: readonly Image[],
  ref: string,
  remote?: string,
  type: Image['type'] = 'container',
): Image {
  const byAlias = images.filter((image) => image.aliases.some((alias) => alias.name === ref));
  const chosen = byAlias.find((image) => image.type === type) ?? byAlias[0];
  return chosen ?? pickPrefix(images, ref, remote);
}

/** Picks the one image whose fingerprint starts with `ref` (hex digits in either case). */
export function pickPrefix(images: readonly Image[], ref: string, remote?: string): Image {
  const lower = ref.toLowerCase();
  const byPrefix = isHex(ref) ? images.filter((image) => image.fingerprint.startsWith(lower)) : [];
  if (byPrefix.length > 1) {
    throw new LxcError(`More than one image matches the fingerprint prefix "${ref}"`, { remote });
  }
  const [only] = byPrefix;
  if (!only) throw new NotFoundError('Image not found', { remote });
  return only;
}

/** A public remote's listing of every image that may be named `ref`, and its alias list on demand. */
export interface PublicListing {
  images: readonly Image[];
  aliases: () => Promise<ImageAlias[]>;
}

/**
 * Resolves `ref` on a public remote as `lxc image info` does: the image that shows the alias
 * (one of the host's architecture), else through the alias list when an alias of another
 * architecture may be named so, else (with `prefix`) by fingerprint prefix.
 */
export async function resolvePublic(
  call: Call,
  listing: PublicListing,
  ref: string,
  { type, prefix }: { type?: Image['type'] | undefined; prefix: boolean },
): Promise<Image> {
  const shown = shownAlias(listing.images, ref, type);
  if (shown !== 'ask' && shown) return shown;
  const entry = shown === 'ask' ? listedAlias(await listing.aliases(), ref, type) : undefined;
  if (entry) {
    const target = listing.images.find((image) => image.fingerprint === entry.target);
    const listed = async (): Promise<Image[]> =>
      call.send({ cli: refListCommand(call.remote, entry.target) });
    return target ?? pickPrefix(await listed(), entry.target, call.remote);
  }
  if (!prefix) throw new NotFoundError('Image not found', { remote: call.remote });
  return pickPrefix(listing.images, ref, call.remote);
}

/** The alias list of a public remote, read once when first asked for. */
export function aliasesOnce(call: Call): () => Promise<ImageAlias[]> {
  let aliases: Promise<ImageAlias[]> | undefined;
  return () => (aliases ??= call.send({ cli: aliasListCommand(call.remote) }));
}

// Resolves `ref` on a public remote from the CLI's listing narrowed to it.
async function infoPublic(call: Call, ref: string, type?: Image['type']): Promise<Image> {
  const images = await call.send({ cli: refListCommand(call.remote, ref) });
  return resolvePublic(call, { images, aliases: aliasesOnce(call) }, ref, { type, prefix: true });
}

/** Reads one image by full fingerprint or unique prefix, with its ETag. */
export function getImage(call: Call, fingerprint: string): Promise<Reply<Image>> {
  return call.fetch({ api: imageRequest(fingerprint) });
}

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

/** Reads the image that `ref` names, on any remote, simplestreams included. */
export async function infoImage(call: Call, ref: string, type?: Image['type']): Promise<Image> {
  if (await call.isPublic()) return infoPublic(call, ref, type);
  return infoPrivate(call, ref);
}

/** Resolves `ref` to a full fingerprint (a full one is taken as it is, without a request). */
export async function resolveFingerprint(call: Call, ref: string): Promise<string> {
  if (FULL_FINGERPRINT.test(ref)) return ref;
  return (await infoImage(call, ref)).fingerprint;
}

/** The fingerprints behind `/1.0/images` (URLs ending in the fingerprint). */
export const UrlListSchema = z
  .array(z.string())
  .nullable()
  .transform((urls) => (urls ?? []).map((url) => url.split('?')[0]?.split('/').pop() ?? url));

/** Reads the image an alias points at, on any remote. */
export async function getByAlias(call: Call, alias: string): Promise<Image> {
  if (await call.isPublic()) {
    const images = await call.send({ cli: refListCommand(call.remote, alias) });
    const listing = { images, aliases: aliasesOnce(call) };
    return resolvePublic(call, listing, alias, { prefix: false });
  }
  const entry = await call.send({ api: aliasRequest(alias) });
  return call.send({ api: imageRequest(entry.target) });
}

/** True when `read` finds the image, false for "not found". */
export async function found(read: Promise<Image>): Promise<boolean> {
  try {
    await read;
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}
