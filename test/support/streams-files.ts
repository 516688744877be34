import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256Files } from '../../lib/wire/hash.js';

/** How {@link tarball} compresses: GNU tar's flag for it. */
export const COMPRESSIONS = { gzip: '-z', xz: '-J', zstd: '--zstd', none: '' } as const;

/** Options of {@link tarball}. */
export interface TarballOptions {
  compression?: keyof typeof COMPRESSIONS;
  /** metadata.yaml's text; none when null. */
  metadata?: string | null;
  /** `dir` (a container's rootfs/), `image` (a VM's rootfs.img) or none. */
  rootfs?: 'dir' | 'image' | 'none';
  /** Members are added with a leading `./` (as `tar -C dir .` writes them). */
  dotSlash?: boolean;
  /** Bytes of random data in the rootfs, after the metadata: more than a pipe holds. */
  filler?: number;
}

/** A metadata.yaml for `os` (release 1.0, x86_64, the fixed creation date of the test images). */
export function metadataFor(os: string, extra = ''): string {
  return `architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: ${os}\n  release: "1.0"\n  description: "A test image"\n${extra}`;
}

/** Builds a tarball with the system tar in `dir`; resolves to its path and sha256. */
export async function tarball(
  dir: string,
  name: string,
  o: TarballOptions = {},
): Promise<{ path: string; sha256: string }> {
  const work = await mkdtemp(join(dir, '.work-'));
  try {
    const members: string[] = [];
    if (o.metadata !== null) {
      await writeFile(join(work, 'metadata.yaml'), o.metadata ?? metadataFor('tarballos'));
      members.push('metadata.yaml');
    }
    if ((o.rootfs ?? 'dir') === 'dir') {
      await mkdir(join(work, 'rootfs', 'etc'), { recursive: true });
      await writeFile(join(work, 'rootfs', 'etc', 'seed'), `${name}-${Math.random()}\n`);
      if (o.filler !== undefined)
        await writeFile(join(work, 'rootfs', 'filler'), randomBytes(o.filler));
      members.push('rootfs');
    }
    if (o.rootfs === 'image') {
      await writeFile(join(work, 'rootfs.img'), qcow2Bytes());
      members.push('rootfs.img');
    }
    const flag = COMPRESSIONS[o.compression ?? 'gzip'];
    const path = join(dir, name);
    const what = o.dotSlash === true ? members.map((m) => `./${m}`) : members;
    await execa('tar', ['-C', work, ...(flag === '' ? [] : [flag]), '-cf', path, ...what]);
    return { path, sha256: await sha256Files(path) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The first bytes of a qcow2 disk, and some more: enough for a file that says it is one. */
export function qcow2Bytes(): Buffer {
  return Buffer.concat([
    Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]),
    Buffer.from(`${Math.random()}`.repeat(100)),
  ]);
}
