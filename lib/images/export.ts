import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Context, Resolved } from '../context.js';
import { ParseError, ValidationError } from '../errors.js';
import { progressLines, type ProgressHandler } from './progress.js';
import { infoImage } from './resolve.js';

/** What `images.export` resolves to. */
export interface ExportResult {
  fingerprint: string;
  /** The files written: one for a unified image, metadata then rootfs for a split one. */
  files: string[];
}

/** Options of `images.export` (besides the common call options). */
export interface ExportFlags {
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

// Where the export goes: into a directory, or to a file path whose folder exists.
async function target(destination: unknown): Promise<{ dir: string; file?: string }> {
  if (typeof destination !== 'string' || destination === '')
    throw new ValidationError('destination', 'must be a path');
  const path = resolve(destination);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return { dir: path };
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory())
    throw new ValidationError('destination', `no such directory: ${dirname(path)}`);
  return { dir: dirname(path), file: path };
}

// The server's file names, metadata (`meta-<fp>...`) first.
function metadataFirst(names: string[]): string[] {
  return [...names].sort((a, b) => Number(b.startsWith('meta-')) - Number(a.startsWith('meta-')));
}

// Final paths: the server's names in a directory; for a file, `<file>` (+ `<file>.root` for the rootfs).
function finalNames(ordered: string[], dir: string, file: string | undefined): string[] {
  if (file === undefined) return ordered.map((name) => join(dir, name));
  return ordered.map((_, i) => (i === 0 ? file : `${file}.root`));
}

/**
 * Exports an image atomically: the client writes into a temporary folder beside `destination`,
 * and the files are renamed into place only when complete. A failure leaves nothing behind.
 */
export async function exportImage(
  ctx: Context,
  call: Resolved,
  ref: string,
  destination: string,
  flags: ExportFlags,
): Promise<ExportResult> {
  const { dir, file } = await target(destination);
  const { fingerprint } = await infoImage(ctx, call, ref);
  const temp = await mkdtemp(join(dir, `.${basename(file ?? 'export')}.lxc-images-`));
  try {
    const args = ['image', 'export', `${call.remote}:${fingerprint}`, `${temp}/`];
    await ctx.runWithProject(args, call, { onLine: progressLines('export', flags.onProgress) });
    const names = await readdir(temp);
    if (names.length < 1 || names.length > 2) {
      throw new ParseError(`image export wrote ${names.length} files`, names.join('\n'), {
        remote: call.remote,
      });
    }
    const ordered = metadataFirst(names);
    const files = finalNames(ordered, dir, file);
    for (const [i, name] of ordered.entries()) await rename(join(temp, name), files[i] ?? '');
    return { fingerprint, files };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
