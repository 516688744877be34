import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Call } from '../call/call.js';
import type { Undo } from '../call/operation.js';
import { ParseError, ValidationError } from '../errors.js';
import type { ProgressHandler } from '../progress.js';
import { OperationSchema, type Image, type ImageAlias, type Operation } from '../schemas.js';
import type { UploadSource } from '../transport/transport.js';
import {
  checkAlias,
  checkBoolean,
  checkList,
  checkPath,
  checkProperties,
  FULL_FINGERPRINT,
  shown,
} from '../validate.js';
import { pointAliases, restoreAliases } from './aliases.js';
import { getImage, imageRequest } from './lookup.js';
import { deleteRequest } from './write.js';
import type { ApiRequest, Request } from './request.js';

/** What `images.import` accepts: a tarball path, split paths, bytes, or a stream. */
export type ImportSource = string | { metadata: string; rootfs: string } | Uint8Array | Readable;

/** Options shared by `import` and `importFromUrl` (besides the common call options). */
export interface ImportFlags {
  /** Aliases to create (as `lxc image import --alias`, an existing alias is moved to the new image). */
  aliases?: string[] | undefined;
  /** Make the image public. */
  public?: boolean | undefined;
  /** Properties to set on the image. */
  properties?: Record<string, string> | undefined;
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

/** Import flags once checked. */
export interface CheckedImport {
  aliases: string[];
  public: boolean;
  properties: Record<string, string>;
  onProgress: ProgressHandler | undefined;
}

/** Checks the flags of an import. */
export function checkImportFlags(flags: ImportFlags): CheckedImport {
  return {
    aliases: checkList(flags.aliases, 'aliases', checkAlias),
    public: checkBoolean(flags.public, 'public') ?? false,
    properties: checkProperties(flags.properties, 'properties'),
    onProgress: flags.onProgress,
  };
}

// Checks that a path names a regular file and makes it absolute, before anything runs.
async function checkFile(path: unknown, field: string): Promise<string> {
  const absolute = resolve(checkPath(path, field));
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new ValidationError(field, `no such file: ${absolute}`);
  return absolute;
}

/** Turns any {@link ImportSource} into what a transport uploads: absolute file paths, or a stream. */
export async function uploadSource(source: ImportSource): Promise<UploadSource> {
  if (typeof source === 'string')
    return { kind: 'files', files: [await checkFile(source, 'source')] };
  if (source instanceof Readable) return { kind: 'stream', stream: source };
  if (source instanceof Uint8Array) return { kind: 'stream', stream: Readable.from([source]) };
  const value: unknown = source; // callers from plain JavaScript may pass anything
  if (typeof value === 'object' && value !== null && 'metadata' in value && 'rootfs' in value) {
    const metadata = await checkFile(value.metadata, 'source.metadata');
    const rootfs = await checkFile(value.rootfs, 'source.rootfs');
    return { kind: 'files', files: [metadata, rootfs] };
  }
  throw new ValidationError(
    'source',
    'must be a path, {metadata, rootfs}, a Buffer/Uint8Array or a Readable',
  );
}

/**
 * Deletes an image that an import created, when `since` (the daemon's own time of its operation)
 * is given only if the image was uploaded since then: the daemons answer a URL import of an image
 * they already have with success, and that image is not the aborted call's to delete.
 */
async function deleteCreated(
  send: <T>(request: Request<T>) => Promise<T>,
  fingerprint: string,
  since: Date | undefined,
): Promise<void> {
  if (since !== undefined) {
    const image = await send({ api: imageRequest(fingerprint) });
    if (!image.uploaded_at || image.uploaded_at < since) return;
  }
  await send({ api: deleteRequest(fingerprint, true) });
}

/** Deletes the image that an aborted import created after all (its operation could not be cancelled). */
export const undoImport: Undo = async (op, send) => {
  const fingerprint = op.metadata.fingerprint;
  if (typeof fingerprint === 'string')
    await deleteCreated(send, fingerprint, op.created_at ?? undefined);
};

/** The fingerprint an import operation reports. */
export function importedFingerprint(op: Operation, remote: string): string {
  const fingerprint = op.metadata.fingerprint;
  if (typeof fingerprint !== 'string' || !FULL_FINGERPRINT.test(fingerprint))
    throw new ParseError('the import operation has no fingerprint', JSON.stringify(op), { remote });
  return fingerprint;
}

/**
 * Points the aliases at an image that a call has just imported (or published) and reads it back.
 * When the call is aborted meanwhile, the aliases it moved are put back and the image it created
 * is deleted again (`since`: as {@link deleteCreated}): an aborted import leaves nothing and
 * loses nothing.
 */
export async function finishImport(
  call: Call,
  fingerprint: string,
  aliases: string[],
  since?: Date,
): Promise<Image> {
  const moved: ImageAlias[] = [];
  const undo = async (send: <T>(request: Request<T>) => Promise<T>): Promise<void> => {
    await restoreAliases(send, moved);
    await deleteCreated(send, fingerprint, since);
  };
  return call.undoOnAbort(undo, async () => {
    await pointAliases(call, fingerprint, aliases, moved);
    return (await getImage(call, fingerprint)).data;
  });
}

/** Imports image data, points the aliases at it, and reads it back. */
export async function importImage(
  call: Call,
  source: ImportSource,
  flags: ImportFlags,
): Promise<Image> {
  const checked = checkImportFlags(flags);
  const fingerprint = await call.upload({
    source: await uploadSource(source),
    properties: checked.properties,
    public: checked.public,
    onProgress: checked.onProgress,
  });
  return finishImport(call, fingerprint, checked.aliases);
}

/** Checks an image URL source: https only, as LXD requires, with no spaces or control characters. */
export function checkImageUrl(url: unknown): string {
  if (typeof url !== 'string' || /[\s\u0000-\u001f\u007f]/.test(url))
    throw new ValidationError(
      'url',
      'must be an https:// URL without spaces or control characters',
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url', `not a URL: ${shown(url)}`);
  }
  if (parsed.protocol !== 'https:') throw new ValidationError('url', 'must be an https:// URL');
  return url;
}

/** `POST /1.0/images` with a `url` source: the daemon downloads the image itself. */
export function urlImportRequest(url: string, checked: CheckedImport): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: '/1.0/images',
    body: {
      source: { type: 'url', url },
      public: checked.public,
      properties: checked.properties,
    },
    schema: OperationSchema,
  };
}

/** Imports from a URL that answers `LXD-Image-URL`/`LXD-Image-Hash` (LXD's `url` source). */
export async function importFromUrl(call: Call, url: unknown, flags: ImportFlags): Promise<Image> {
  const checked = checkImportFlags(flags);
  const op = await call.start({ api: urlImportRequest(checkImageUrl(url), checked) });
  const done = await call.wait(op.id, {}, undoImport);
  const fingerprint = importedFingerprint(done, call.remote);
  return finishImport(call, fingerprint, checked.aliases, done.created_at ?? undefined);
}
