import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Files } from '../wire/hash.js';
import { createExecaRunner } from '../transport/cli/runner.js';
import { addInit } from './init-rootfs.js';

export { sha256Files };

const tar = createExecaRunner({ binary: 'tar', env: {} });

/** Options for a test image; every field has a default. */
export interface ImageOptions {
  os?: string;
  release?: string;
  description?: string;
  /** Bytes of random (incompressible) data added to the rootfs as /filler. */
  filler?: number;
  /** Bytes of zeros added to the rootfs as /padding: a big rootfs that compresses fast. */
  padding?: number;
  /** Text stored in the rootfs; defaults to a random UUID so every image is unique. */
  seed?: string;
  /** Add a tiny `/sbin/init` (with the host's `dash` and `sleep`) so that containers start. */
  bootable?: boolean;
}

/** A unified image tarball on disk. */
export interface TestImage {
  path: string;
  fingerprint: string;
  size: number;
}

/** A split image (metadata tarball + rootfs tarball) on disk. */
export interface TestSplitImage {
  metadata: string;
  rootfs: string;
  fingerprint: string;
}

/** Fixed creation date written into metadata.yaml (2023-11-14). */
export const CREATION_DATE = 1700000000;

// Reproducible tar members: fixed mtime, owner and order (gzip through a pipe has no timestamp).
const TAR_FLAGS = [
  '--sort=name',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  `--mtime=@${CREATION_DATE}`,
];

function metadataYaml(opts: ImageOptions): string {
  const q = (s: string): string => JSON.stringify(s); // JSON strings are valid YAML scalars
  return [
    'architecture: x86_64',
    `creation_date: ${CREATION_DATE}`,
    'properties:',
    `  description: ${q(opts.description ?? 'Test image')}`,
    `  os: ${q(opts.os ?? 'testos')}`,
    `  release: ${q(opts.release ?? '1.0')}`,
    '',
  ].join('\n');
}

async function stage(dir: string, opts: ImageOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, '.stage-'));
  await mkdir(join(work, 'rootfs', 'bin'), { recursive: true });
  await mkdir(join(work, 'rootfs', 'etc'), { recursive: true });
  await writeFile(join(work, 'metadata.yaml'), metadataYaml(opts));
  await writeFile(join(work, 'rootfs', 'bin', 'hello'), 'hi\n');
  await writeFile(join(work, 'rootfs', 'etc', 'seed'), `${opts.seed ?? randomUUID()}\n`);
  if (opts.filler !== undefined && opts.filler > 0) {
    await writeFile(join(work, 'rootfs', 'filler'), randomBytes(opts.filler));
  }
  if (opts.padding !== undefined && opts.padding > 0) {
    await writeFile(join(work, 'rootfs', 'padding'), Buffer.alloc(opts.padding));
  }
  if (opts.bootable) await addInit(join(work, 'rootfs'));
  return work;
}

/** Build a unified image tarball `<dir>/<fingerprint>.tar.gz`; fingerprint = sha256 of the file. */
export async function makeImage(dir: string, opts: ImageOptions = {}): Promise<TestImage> {
  const work = await stage(dir, opts);
  try {
    const tmp = join(work, 'image.tar.gz');
    await tar([...TAR_FLAGS, '-C', work, '-czf', tmp, 'metadata.yaml', 'rootfs']);
    const hash = await sha256Files(tmp);
    const path = join(dir, `${hash}.tar.gz`);
    await rename(tmp, path);
    return { path, fingerprint: hash, size: (await stat(path)).size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Build a split image `<dir>/<fp>.meta.tar.gz` + `<dir>/<fp>.rootfs.tar.gz`; fp = sha256(meta ‖ rootfs). */
export async function makeSplitImage(
  dir: string,
  opts: ImageOptions = {},
): Promise<TestSplitImage> {
  const work = await stage(dir, opts);
  try {
    const meta = join(work, 'meta.tar.gz');
    const root = join(work, 'rootfs.tar.gz');
    await tar([...TAR_FLAGS, '-C', work, '-czf', meta, 'metadata.yaml']);
    // The rootfs tarball holds the *contents* of rootfs/ at its top level.
    await tar([...TAR_FLAGS, '-C', join(work, 'rootfs'), '-czf', root, '.']);
    const fingerprint = await sha256Files(meta, root);
    const metadata = join(dir, `${fingerprint}.meta.tar.gz`);
    const rootfs = join(dir, `${fingerprint}.rootfs.tar.gz`);
    await rename(meta, metadata);
    await rename(root, rootfs);
    return { metadata, rootfs, fingerprint };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
