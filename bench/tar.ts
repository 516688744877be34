import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, open, writeFile } from 'node:fs/promises';

/** One member of an uncompressed ustar archive. */
export interface TarEntry {
  name: string;
  /** File contents; a directory when absent. */
  data?: Buffer;
}

const BLOCK = 512;
const MTIME = 1700000000;

// Writes `value` as a NUL-terminated octal field of `width` bytes at `offset`.
function octal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** Builds the 512-byte ustar header of a file (`size` bytes) or a directory (pure). */
export function tarHeader(name: string, size: number, dir = false): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  octal(header, 100, 8, dir ? 0o755 : 0o644);
  octal(header, 108, 8, 0);
  octal(header, 116, 8, 0);
  octal(header, 124, 12, size);
  octal(header, 136, 12, MTIME);
  header.write('        ', 148, 8, 'ascii');
  header.write(dir ? '5' : '0', 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

// Zero bytes that pad `size` up to a whole block.
function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** Builds a whole uncompressed tar archive in memory (for tiny images). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const { name, data } of entries) {
    parts.push(tarHeader(name, data?.length ?? 0, data === undefined));
    if (data) parts.push(data, padding(data.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** The metadata.yaml of a test image. */
export function metadataYaml(description: string): Buffer {
  const text = `architecture: x86_64\ncreation_date: ${MTIME}\nproperties:\n  description: ${JSON.stringify(description)}\n  os: bench\n  release: "1.0"\n`;
  return Buffer.from(text);
}

/** A tiny unified image (uncompressed tar) whose fingerprint depends on `seed`. */
export function tinyImage(seed: string): { bytes: Buffer; fingerprint: string } {
  const bytes = tarArchive([
    { name: 'metadata.yaml', data: metadataYaml(`bench image ${seed}`) },
    { name: 'rootfs/' },
    { name: 'rootfs/seed', data: Buffer.from(`${seed}\n`) },
  ]);
  return { bytes, fingerprint: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Writes a unified image with a `size`-byte file of random data to `path`. The data comes from
 * `head -c SIZE /dev/urandom` in a child process, so it never passes through this process.
 */
export async function writeBigImage(path: string, size: number): Promise<void> {
  const meta = metadataYaml('bench big image');
  await writeFile(
    path,
    Buffer.concat([
      tarHeader('metadata.yaml', meta.length),
      meta,
      padding(meta.length),
      tarHeader('rootfs/', 0, true),
      tarHeader('rootfs/filler', size),
    ]),
  );
  const file = await open(path, 'a');
  try {
    const child = spawn('head', ['-c', String(size), '/dev/urandom'], {
      stdio: ['ignore', file.fd, 'inherit'],
    });
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) throw new Error(`head -c ${size} /dev/urandom exited with ${code}`);
  } finally {
    await file.close();
  }
  await appendFile(path, Buffer.concat([padding(size), Buffer.alloc(2 * BLOCK)]));
}
