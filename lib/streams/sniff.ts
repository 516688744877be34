import { open } from 'node:fs/promises';

/** How a tarball is compressed. */
export type Compression = 'gzip' | 'xz' | 'zstd' | 'bzip2' | 'none';

/** What a file is, by its first bytes. */
export type FileKind =
  { kind: 'tarball'; compression: Compression } | { kind: 'squashfs' } | { kind: 'qcow2' };

const MAGIC: readonly [number[], FileKind][] = [
  [[0x1f, 0x8b], { kind: 'tarball', compression: 'gzip' }],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], { kind: 'tarball', compression: 'xz' }],
  [[0x28, 0xb5, 0x2f, 0xfd], { kind: 'tarball', compression: 'zstd' }],
  [[0x42, 0x5a, 0x68], { kind: 'tarball', compression: 'bzip2' }],
  [[0x68, 0x73, 0x71, 0x73], { kind: 'squashfs' }],
  [[0x51, 0x46, 0x49, 0xfb], { kind: 'qcow2' }],
];

/** What the first bytes of a file say it is (pure); undefined for anything else. */
export function kindOf(head: Buffer): FileKind | undefined {
  for (const [magic, kind] of MAGIC) if (magic.every((byte, i) => head[i] === byte)) return kind;
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar')
    return { kind: 'tarball', compression: 'none' };
  return undefined;
}

/** Reads the first 512 bytes of `path` and says what it is. */
export async function sniff(path: string): Promise<FileKind | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await file.read(head, 0, 512, 0);
    return kindOf(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** The file name ending of a kind of file: `.tar.gz`, `.squashfs`, `.qcow2`… */
export function extensionOf(kind: FileKind): string {
  if (kind.kind !== 'tarball') return `.${kind.kind}`;
  const ends: Record<Compression, string> = {
    gzip: '.tar.gz',
    xz: '.tar.xz',
    zstd: '.tar.zst',
    bzip2: '.tar.bz2',
    none: '.tar',
  };
  return ends[kind.compression];
}
