import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { execa } from 'execa';
import { ValidationError } from '../wire/errors.js';
import type { Compression } from './sniff.js';
import { ChunkReader, paxPath, parseHeader, type TarHeader } from './tar-reader.js';

/** What a scan of a tarball found. */
export interface TarScan {
  /** The text of `metadata.yaml`, when the archive has one. */
  metadata: Buffer | undefined;
  /** `dir` when a `rootfs/` folder came (a container), `image` for `rootfs.img` (a VM). */
  rootfs: 'dir' | 'image' | undefined;
}

/** The most bytes of a `metadata.yaml` read (1 MiB). */
export const MAX_METADATA = 1024 * 1024;
const TOOLS: Record<Exclude<Compression, 'gzip' | 'none'>, string> = {
  xz: 'xz',
  zstd: 'zstd',
  bzip2: 'bzip2',
};

// The archive's bytes, decompressed as they stream: zlib for gzip, the system tool for the rest.
function decompressed(
  path: string,
  compression: Compression,
): { chunks: AsyncIterable<Buffer>; close: () => Promise<void> } {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (compression === 'none') {
    const close = (): Promise<void> => {
      file.destroy();
      return Promise.resolve();
    };
    return { chunks: file, close };
  }
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    file.on('error', (error) => gunzip.destroy(error)).pipe(gunzip);
    const close = (): Promise<void> => {
      file.destroy();
      gunzip.destroy();
      return Promise.resolve();
    };
    return { chunks: gunzip, close };
  }
  file.destroy();
  const child = execa(TOOLS[compression], ['-dcq'], {
    inputFile: path,
    stdout: 'pipe',
    stderr: 'ignore',
    buffer: false,
    reject: false,
  });
  const close = async (): Promise<void> => {
    child.stdout.destroy(); // unread output would keep the child's stdout, and so the child, open
    child.kill();
    await child;
  };
  return { chunks: child.stdout, close };
}

// The real name of the next member: a GNU long name or a pax `path` overrides the header's.
async function nextHeader(reader: ChunkReader): Promise<TarHeader | null> {
  let override: string | undefined;
  for (;;) {
    const block = await reader.read(512);
    const header = block === undefined ? undefined : parseHeader(block);
    if (header === null) return null;
    if (header === undefined) throw new Error('not a tar archive');
    if (header.type !== 'L' && header.type !== 'x' && header.type !== 'g')
      return override === undefined ? header : { ...header, name: override };
    const data = await readData(reader, header.size, MAX_METADATA);
    if (header.type === 'L') override = data.toString('utf8').replace(/\0.*$/s, '');
    if (header.type === 'x') override = paxPath(data) ?? override;
  }
}

// A member's data (padded to 512-byte blocks), at most `limit` bytes.
async function readData(reader: ChunkReader, size: number, limit: number): Promise<Buffer> {
  if (size > limit) throw new Error(`a member of ${size} bytes is larger than ${limit}`);
  const data = await reader.read(Math.ceil(size / 512) * 512);
  if (data === undefined) throw new Error('the archive ends in the middle of a member');
  return Buffer.from(data.subarray(0, size));
}

// Walks the members until metadata.yaml (and, when asked, the rootfs) are found.
async function walk(reader: ChunkReader, wantRootfs: boolean): Promise<TarScan> {
  const scan: TarScan = { metadata: undefined, rootfs: undefined };
  for (;;) {
    if (scan.metadata !== undefined && (!wantRootfs || scan.rootfs !== undefined)) return scan;
    const header = await nextHeader(reader);
    if (header === null) return scan;
    const { name, size } = header;
    if (name === 'rootfs.img') scan.rootfs = 'image';
    if (name === 'rootfs' || name.startsWith('rootfs/')) scan.rootfs ??= 'dir';
    if (name === 'metadata.yaml') {
      scan.metadata = await readData(reader, size, MAX_METADATA);
      continue;
    }
    if (!(await reader.skip(Math.ceil(size / 512) * 512)))
      throw new Error('the archive ends in the middle of a member');
  }
}

/**
 * Reads a tarball as it streams, only as far as it must: until `metadata.yaml` is found (and
 * the first member of the rootfs, with `rootfs`), so that a big image is not read to its end.
 * A file that is not a tar archive is a ValidationError naming `field`.
 */
export async function scanTarball(
  path: string,
  compression: Compression,
  options: { rootfs: boolean; field: string },
): Promise<TarScan> {
  const { chunks, close } = decompressed(path, compression);
  try {
    return await walk(new ChunkReader(chunks), options.rootfs);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ValidationError(options.field, `not a readable tarball (${why}): ${path}`, {
      cause: error,
    });
  } finally {
    await close();
  }
}
