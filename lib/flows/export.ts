import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Call } from '../call/call.js';
import { ParseError, ValidationError } from '../wire/errors.js';
import { monotonic, type ProgressHandler } from '../wire/progress.js';
import { exportTarget } from '../wire/checks-transfer.js';
import { metadataFirst } from '../wire/hash.js';
import { checkProgress } from '../wire/checks.js';
import { checkRef, MAX_NAME_BYTES } from '../wire/validate.js';
import { downloadRequest } from '../requests/import.js';
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

/** Final paths: the server's names in a directory; for a file, `<file>` (+ `<file>.root` for the rootfs). */
export function finalNames(
  ordered: readonly string[],
  dir: string,
  file: string | undefined,
): string[] {
  if (file === undefined) return ordered.map((name) => join(dir, name));
  return ordered.map((_, i) => (i === 0 ? file : `${file}.root`));
}

// Moves the exported files from the temporary folder into place, metadata first.
async function placeFiles(
  temp: string,
  dir: string,
  file: string | undefined,
  remote: string,
): Promise<string[]> {
  const names = await readdir(temp);
  if (names.length < 1 || names.length > 2) {
    throw new ParseError(`image export wrote ${names.length} files`, names.join('\n'), { remote });
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
  return files;
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
    return { fingerprint, files: await placeFiles(temp, dir, file, place.remote) };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** `images.export` (see {@link exportInto}). */
export async function exportImage(
  call: Call,
  ref: unknown,
  destination: unknown,
  flags: ExportFlags,
): Promise<ExportResult> {
  const checkedRef = checkRef(ref);
  const onProgress = monotonic(checkProgress(flags.onProgress));
  const place = await exportTarget(destination);
  const fingerprint = await resolveFingerprint(call, checkedRef);
  return exportInto({ ...place, fingerprint, remote: call.remote }, (dir) =>
    call.send(downloadRequest({ fingerprint, dir, onProgress })),
  );
}
