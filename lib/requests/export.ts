import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Call } from '../call/call.js';
import { ParseError, ValidationError } from '../errors.js';
import type { ProgressHandler } from '../progress.js';
import { checkPath, checkRef, MAX_NAME_BYTES } from '../validate.js';
import { resolveFingerprint } from './lookup.js';

/** What `images.export` resolves to. */
export interface ExportResult {
  /** The exported image's fingerprint. */
  fingerprint: string;
  /** The files written: one for a unified image, metadata then rootfs for a split one. */
  files: string[];
}

/** Options of `images.export` (besides the common call options). */
export interface ExportFlags {
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

/** Where an export goes: into a directory, or to a file path whose folder exists. */
export async function exportTarget(destination: unknown): Promise<{ dir: string; file?: string }> {
  const path = resolve(checkPath(destination, 'destination'));
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return { dir: path };
  if (Buffer.byteLength(basename(path)) > MAX_NAME_BYTES)
    throw new ValidationError(
      'destination',
      `the file name is longer than ${MAX_NAME_BYTES} bytes`,
    );
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory())
    throw new ValidationError('destination', `no such directory: ${dirname(path)}`);
  return { dir: dirname(path), file: path };
}

// The server's file names, metadata (`meta-<fp>...`) first.
function metadataFirst(names: string[]): string[] {
  return [...names].sort((a, b) => Number(b.startsWith('meta-')) - Number(a.startsWith('meta-')));
}

/** Final paths: the server's names in a directory; for a file, `<file>` (+ `<file>.root` for the rootfs). */
export function finalNames(
  ordered: readonly string[],
  dir: string,
  file: string | undefined,
): string[] {
  if (file === undefined) return ordered.map((name) => join(dir, name));
  return ordered.map((_, i) => (i === 0 ? file : `${file}.root`));
}

/**
 * Exports an image atomically: the transport writes into a temporary folder beside
 * `destination`, and the files are renamed into place only when complete. A failure leaves
 * nothing behind.
 */
export async function exportImage(
  call: Call,
  ref: unknown,
  destination: unknown,
  flags: ExportFlags,
): Promise<ExportResult> {
  const checkedRef = checkRef(ref);
  const place = await exportTarget(destination);
  const fingerprint = await resolveFingerprint(call, checkedRef);
  return exportInto({ ...place, fingerprint, remote: call.remote }, (temp) =>
    call.download({ fingerprint, dir: temp, onProgress: flags.onProgress }),
  );
}

/** Where {@link exportInto} puts an image's files. */
export interface ExportPlace {
  /** The folder of the destination. */
  dir: string;
  /** The destination file, when it names one. */
  file?: string | undefined;
  fingerprint: string;
  /** The remote, for error details. */
  remote: string;
}

/**
 * Writes an export atomically: `download` fills a temporary folder beside the destination, and
 * its files are renamed into place only when complete. A failure leaves nothing behind.
 */
export async function exportInto(
  place: ExportPlace,
  download: (temp: string) => Promise<unknown>,
): Promise<ExportResult> {
  const { dir, file, fingerprint } = place;
  const temp = await mkdtemp(join(dir, '.lxc-images-'));
  try {
    await download(temp);
    const names = await readdir(temp);
    if (names.length < 1 || names.length > 2) {
      throw new ParseError(`image export wrote ${names.length} files`, names.join('\n'), {
        remote: place.remote,
      });
    }
    const ordered = metadataFirst(names);
    const files = finalNames(ordered, dir, file);
    const long = files.find((path) => Buffer.byteLength(basename(path)) > MAX_NAME_BYTES);
    if (long !== undefined) {
      throw new ValidationError(
        'destination',
        `a split image also needs ${long}, whose name is too long`,
      );
    }
    for (const [i, name] of ordered.entries()) await rename(join(temp, name), files[i] ?? '');
    return { fingerprint, files };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
