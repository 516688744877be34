import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../lib/index.js';
import { peakRss } from './memory.js';
import { writeBigImage } from './tar.js';

/** Peak RSS growth over the RSS just before (bytes), and wall time (ms), of one big transfer. */
export interface BigResult {
  operation: string;
  growth: number;
  before: number;
  ms: number;
}

/**
 * Builds a `size`-byte image on disk (never in this process's memory), then imports it from its
 * path and from a `Readable`, and exports it, measuring the peak RSS growth of each.
 */
export async function bigTransfers(
  client: Client,
  project: string,
  size: number,
): Promise<BigResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-big-'));
  const opts = { project };
  const results: BigResult[] = [];
  const measure = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const { value, growth, before, ms } = await peakRss(fn);
    results.push({ operation, growth, before, ms });
    return value;
  };
  try {
    const path = join(dir, 'big.tar');
    await writeBigImage(path, size);
    const { fingerprint } = await measure('import (path)', () =>
      client.images.import('local', path, opts),
    );
    await client.images.delete('local', fingerprint, opts);
    await measure('import (Readable)', () =>
      client.images.import('local', createReadStream(path), opts),
    );
    await rm(path);
    await measure('export', () =>
      client.images.export('local', fingerprint, join(dir, 'exported.tar'), opts),
    );
    await client.images.delete('local', fingerprint, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
