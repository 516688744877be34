import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context, Resolved } from '../context.js';
import { AbortError, ParseError, ValidationError } from '../errors.js';
import type { Image } from '../schemas.js';
import { checkAlias, checkPropertyKey, checkText } from '../validate.js';
import { progressLines, type ProgressHandler } from './progress.js';
import { watchUpload, type UploadWatch } from './upload-progress.js';
import { getImage } from './resolve.js';

/** What `images.import` accepts: a tarball path, split paths, bytes, or a stream. */
export type ImportSource = string | { metadata: string; rootfs: string } | Uint8Array | Readable;

/** Options shared by `import` and `importFromUrl`. */
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

/** Builds the flags of `lxc image import` (pure). */
export function importFlags(flags: ImportFlags): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(flags.properties ?? {})) {
    args.push(`${checkPropertyKey(key, 'properties')}=${checkText(value, `properties.${key}`)}`);
  }
  if (flags.aliases !== undefined && !Array.isArray(flags.aliases))
    throw new ValidationError('aliases', 'must be an array');
  for (const alias of flags.aliases ?? []) args.push(`--alias=${checkAlias(alias, 'aliases')}`);
  if (flags.public) args.push('--public');
  return args;
}

// Checks that a path names a regular file, before anything is spawned.
async function checkFile(path: unknown, field: string): Promise<string> {
  if (typeof path !== 'string' || path === '' || path.startsWith('-'))
    throw new ValidationError(field, 'must be a file path');
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ValidationError(field, `no such file: ${path}`);
  return path;
}

// Turns any source into file paths; bytes and streams are spooled to a temporary file.
async function sourceFiles(
  source: ImportSource,
  spool: () => Promise<string>,
  signal?: AbortSignal,
): Promise<string[]> {
  if (typeof source === 'string') return [await checkFile(source, 'source')];
  if (source instanceof Readable || source instanceof Uint8Array) {
    const file = join(await spool(), 'image');
    const input = source instanceof Readable ? source : Readable.from([source]);
    try {
      await pipeline(input, createWriteStream(file), signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted)
        throw new AbortError('the import was aborted while spooling its source', { cause: error });
      throw error;
    }
    return [file];
  }
  const value: unknown = source; // callers from plain JavaScript may pass anything
  if (typeof value === 'object' && value !== null && 'metadata' in value && 'rootfs' in value) {
    return [
      await checkFile(value.metadata, 'source.metadata'),
      await checkFile(value.rootfs, 'source.rootfs'),
    ];
  }
  throw new ValidationError(
    'source',
    'must be a path, {metadata, rootfs}, a Buffer/Uint8Array or a Readable',
  );
}

// Follows the upload of local files (a URL source is downloaded by the daemon, not uploaded).
async function uploadWatch(
  sources: string[],
  onProgress: ProgressHandler | undefined,
): Promise<UploadWatch | undefined> {
  if (!onProgress || sources.some((source) => source.startsWith('https://'))) return undefined;
  const sizes = await Promise.all(sources.map(async (source) => (await stat(source)).size));
  return watchUpload(
    sizes.reduce((a, b) => a + b, 0),
    onProgress,
  );
}

/** Runs `lxc image import` on files or a URL and reads the new image back. */
export async function runImport(
  ctx: Context,
  call: Resolved,
  sources: string[],
  flags: ImportFlags,
): Promise<Image> {
  const args = ['image', 'import', ...sources, `${call.remote}:`, ...importFlags(flags)];
  const watch = await uploadWatch(sources, flags.onProgress);
  let stdout: string;
  try {
    ({ stdout } = await ctx.runWithProject(args, call, {
      onLine: progressLines('import', flags.onProgress),
      onSpawn: watch?.onSpawn,
    }));
  } catch (error) {
    watch?.stop(false);
    throw error;
  }
  watch?.stop(true);
  const fingerprint = /fingerprint: ([0-9a-f]{64})/.exec(stdout)?.[1];
  if (!fingerprint)
    throw new ParseError('no fingerprint in the output of image import', stdout, {
      remote: call.remote,
    });
  return getImage(ctx, call, fingerprint);
}

/** Imports from any {@link ImportSource}; a temporary spool file is removed afterwards. */
export async function importImage(
  ctx: Context,
  call: Resolved,
  source: ImportSource,
  flags: ImportFlags,
): Promise<Image> {
  importFlags(flags);
  let spoolDir: string | undefined;
  const spool = async (): Promise<string> =>
    (spoolDir = await mkdtemp(join(tmpdir(), 'lxc-images-import-')));
  try {
    return await runImport(ctx, call, await sourceFiles(source, spool, call.signal), flags);
  } finally {
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  }
}

/** Checks an image URL source: https only, as LXD requires. */
export function checkImageUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new ValidationError('url', `not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' || typeof url !== 'string' || /\s/.test(url)) {
    throw new ValidationError('url', 'must be an https:// URL');
  }
  return url;
}
