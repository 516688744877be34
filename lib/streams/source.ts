import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LxcError, ValidationError } from '../wire/errors.js';
import type { ProgressHandler } from '../wire/progress.js';
import { inspectSplit, inspectUnified, type Inspected } from './inspect.js';
import type { CheckedSource } from './options.js';
import { tempName } from './paths.js';
import { copyHashed, hashInPlace, progressCounter, type Staged } from './stage.js';

/** An image's files in the tree under temporary names, what they are, and how to drop them. */
export interface StagedImage {
  inspected: Inspected;
  /** Metadata (or the unified tarball) first, then the rootfs. */
  files: Staged[];
  /** The fingerprint a daemon gives the image. */
  fingerprint: string;
  /** Removes what is still under a temporary name. */
  cleanup(): Promise<void>;
}

// The size of a file to copy; a missing one is a ValidationError.
async function sizeOf(path: string, field: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ValidationError(field, `not a file: ${path}`);
  return info.size;
}

/** The fingerprint of files in order: a unified image's own hash, or metadata then rootfs hashed together. */
interface Fingerprinter {
  update: (chunk: Buffer) => void;
  digest: (files: readonly Staged[]) => string;
}

// A split image hashes every chunk once more, in order; a unified one is its file's hash.
function fingerprinter(fileCount: number): Fingerprinter {
  if (fileCount === 1)
    return { update: () => undefined, digest: (files) => files[0]?.sha256 ?? '' };
  const hash = createHash('sha256');
  return { update: (chunk) => hash.update(chunk), digest: () => hash.digest('hex') };
}

// Inspects local files, then copies them in with their hashes.
async function stageFiles(
  root: string,
  paths: string[],
  how: {
    inspect: () => Promise<Inspected>;
    onProgress: ProgressHandler | undefined;
    check: (inspected: Inspected) => void;
  },
): Promise<StagedImage> {
  const { inspect, onProgress, check } = how;
  const fields = paths.length === 1 ? ['source'] : ['source.metadata', 'source.rootfs'];
  const sizes = await Promise.all(paths.map((p, i) => sizeOf(p, fields[i] ?? 'source')));
  const inspected = await inspect();
  check(inspected);
  const counted = progressCounter(
    sizes.reduce((a, b) => a + b, 0),
    onProgress,
  );
  const combined = fingerprinter(paths.length);
  const files: Staged[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(files.map((f) => rm(f.temp, { force: true })));
  };
  try {
    for (const path of paths)
      files.push(
        await copyHashed(path, root, (chunk) => {
          combined.update(chunk);
          counted(chunk.length);
        }),
      );
    return { inspected, files, fingerprint: combined.digest(files), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

// Exports an image from a daemon into a temporary folder of the tree, then hashes it there.
async function stageExport(
  root: string,
  source: Extract<CheckedSource, { kind: 'daemon' }>,
  onProgress: ProgressHandler | undefined,
  check: (inspected: Inspected) => void,
): Promise<StagedImage> {
  const dir = join(root, tempName('export'));
  await mkdir(dir);
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const options = onProgress === undefined ? {} : { onProgress };
    const { fingerprint, files } = await source.client.images.export(
      source.remote,
      source.ref,
      dir,
      options,
    );
    const [meta, rootfs] = files;
    if (meta === undefined || files.length > 2)
      throw new LxcError(`the export of ${source.ref} wrote ${files.length} files`);
    const inspected =
      rootfs === undefined
        ? await inspectUnified(meta, 'source')
        : await inspectSplit(meta, rootfs);
    check(inspected);
    const combined = fingerprinter(files.length);
    const staged: Staged[] = [];
    for (const file of files) staged.push(await hashInPlace(file, combined.update));
    const computed = combined.digest(staged);
    if (computed !== fingerprint)
      throw new LxcError(`the export of ${source.ref} hashes to ${computed}, not ${fingerprint}`);
    return { inspected, files: staged, fingerprint, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Brings a source's files into the tree under temporary names, inspected and hashed; `check`
 * sees what they are before anything is copied.
 */
export function stageSource(
  root: string,
  source: CheckedSource,
  options: { onProgress: ProgressHandler | undefined; check: (inspected: Inspected) => void },
): Promise<StagedImage> {
  const { onProgress, check } = options;
  if (source.kind === 'daemon') return stageExport(root, source, onProgress, check);
  if (source.kind === 'unified') {
    const inspect = (): Promise<Inspected> => inspectUnified(source.path, 'source');
    return stageFiles(root, [source.path], { inspect, onProgress, check });
  }
  const inspect = (): Promise<Inspected> => inspectSplit(source.metadata, source.rootfs);
  return stageFiles(root, [source.metadata, source.rootfs], { inspect, onProgress, check });
}
