import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ProgressHandler } from '../wire/progress.js';
import { IMAGES_DIR } from './format.js';
import { tempName } from './paths.js';

/** A file copied into the tree under a temporary name, with its hash. */
export interface Staged {
  /** The temporary path (in the tree's `images/` folder). */
  temp: string;
  sha256: string;
  size: number;
}

/** Counts bytes against a total and reports whole percents (and the speed) as they change. */
export function progressCounter(
  total: number,
  handler: ProgressHandler | undefined,
): (bytes: number) => void {
  const started = performance.now();
  let done = 0;
  let last = -1;
  return (bytes) => {
    done += bytes;
    const percent = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
    if (handler === undefined || percent === last) return;
    last = percent;
    const seconds = (performance.now() - started) / 1000;
    const speed = seconds > 0 ? Math.round(done / seconds) : undefined;
    handler({
      stage: 'import',
      label: 'Adding the image',
      percent,
      bytes: done,
      ...(speed === undefined ? {} : { speed }),
    });
  };
}

/**
 * Copies `source` into `<root>/images/` under a temporary name, hashing it on the way: one
 * read, one write, a bounded buffer. A failure removes the partial file.
 */
export async function copyHashed(
  source: string,
  root: string,
  onChunk: (chunk: Buffer) => void,
): Promise<Staged> {
  const dir = join(root, IMAGES_DIR);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, tempName('image'));
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      onChunk(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(source, { highWaterMark: 1024 * 1024 }),
      tap,
      createWriteStream(temp, { flags: 'wx', mode: 0o644, highWaterMark: 1024 * 1024 }),
    );
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { temp, sha256: hash.digest('hex'), size };
}

/** Hashes a file already in the tree (an export), streamed; `onChunk` sees every chunk too. */
export async function hashInPlace(path: string, onChunk: (chunk: Buffer) => void): Promise<Staged> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    onChunk(chunk as Buffer);
  }
  return { temp: path, sha256: hash.digest('hex'), size: (await stat(path)).size };
}
