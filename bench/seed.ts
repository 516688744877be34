import { createClient } from '../lib/index.js';
import type { Sandbox } from '../lib/testing/index.js';
import { tinyImage } from './tar.js';

/** How {@link seedImages} fills a sandbox. */
export interface SeedOptions {
  /** How many distinct images to import. */
  count: number;
  /** The project to import into (`default` when absent). */
  project?: string;
  /** Imports at once (default 2: LXD 5.0.2 stalls under many concurrent imports). */
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

/**
 * Imports `count` tiny, distinct images (uncompressed tarballs built in memory) into the
 * sandbox through the REST transport (streamed from memory, no process per image), a few at a
 * time. Resolves to their fingerprints.
 */
export async function seedImages(sandbox: Sandbox, options: SeedOptions): Promise<string[]> {
  const client = createClient({ binary: sandbox.binary, env: sandbox.env, transport: 'rest' });
  const opts = options.project === undefined ? {} : { project: options.project };
  const fingerprints: string[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < options.count; i = next++) {
      const image = tinyImage(`${options.prefix ?? 'seed'}-${i}`);
      await client.images.import('local', image.bytes, opts);
      fingerprints[i] = image.fingerprint;
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
  return fingerprints;
}
