import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../lib/testing/index.js';
import { tinyImage } from './tar.js';

/** How {@link seedImages} fills a sandbox. */
export interface SeedOptions {
  /** How many distinct images to import. */
  count: number;
  /** The project to import into (`default` when absent). */
  project?: string;
  /** `image import` processes at once (default 1: LXD 5.0.2 deadlocks under many concurrent imports). */
  concurrency?: number;
  /** Distinguishes the images of different seeds. */
  prefix?: string;
  /** Called after each import with the number done. */
  onProgress?: (done: number) => void;
}

/** Creates a project that keeps its own images. */
export async function createImageProject(sandbox: Sandbox, name: string): Promise<void> {
  await sandbox.run(['project', 'create', name, '--config=features.images=true']);
}

// Under many concurrent imports, LXD 5.0's `image import` client sometimes hangs or fails
// ("websocket: close 1006") on its event stream although the image is stored: give each import
// 15 s, then look for the image and retry only if it is missing.
async function importOne(
  sandbox: Sandbox,
  path: string,
  fingerprint: string,
  project: string | undefined,
): Promise<void> {
  const flag = project === undefined ? [] : [`--project=${project}`];
  const query = project === undefined ? '' : `?project=${encodeURIComponent(project)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await sandbox.run(['image', 'import', path, 'local:', ...flag], { timeout: 15000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
    const stored = await sandbox.run(['query', `local:/1.0/images/${fingerprint}${query}`]).then(
      () => true,
      () => false,
    );
    if (stored) return;
  }
}

/**
 * Imports `count` tiny, distinct images (uncompressed tarballs built in memory) into the
 * sandbox, several `image import` processes at a time. Resolves to their fingerprints.
 */
export async function seedImages(sandbox: Sandbox, options: SeedOptions): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-seed-'));
  const fingerprints: string[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < options.count; i = next++) {
      const image = tinyImage(`${options.prefix ?? 'seed'}-${i}`);
      const path = join(dir, `${i}.tar`);
      await writeFile(path, image.bytes);
      await importOne(sandbox, path, image.fingerprint, options.project);
      await rm(path);
      fingerprints[i] = image.fingerprint;
      options.onProgress?.(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return fingerprints;
}
