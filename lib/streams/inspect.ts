import { ValidationError } from '../wire/errors.js';
import type { RootType } from './format.js';
import { parseMetadata, type ImageMetadata } from './metadata.js';
import { sniff, type FileKind } from './sniff.js';
import { scanTarball } from './tarball.js';

/** What an image's files are, read from their first bytes and its `metadata.yaml`. */
export interface Inspected {
  type: 'container' | 'virtual-machine';
  metadata: ImageMetadata;
  meta: FileKind;
  /** The root file's kind and file type, for a split image. */
  root?: { kind: FileKind; type: RootType } | undefined;
}

// The file's kind; a file that cannot be read is a ValidationError naming `field`.
async function kindOf(path: string, field: string): Promise<FileKind | undefined> {
  try {
    return await sniff(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(field, `cannot read ${path} (${code})`, { cause: error });
  }
}

// Reads metadata.yaml out of a tarball; an archive without one is not an image.
async function tarballMetadata(
  path: string,
  field: string,
  rootfs: boolean,
): Promise<{ kind: FileKind; metadata: ImageMetadata; vm: boolean }> {
  const kind = await kindOf(path, field);
  if (kind?.kind !== 'tarball')
    throw new ValidationError(field, `not an image: ${path} is not a tarball`);
  const scan = await scanTarball(path, kind.compression, { rootfs, field });
  if (scan.metadata === undefined)
    throw new ValidationError(field, `not an image: ${path} has no metadata.yaml`);
  return { kind, metadata: parseMetadata(scan.metadata, field), vm: scan.rootfs === 'image' };
}

/** Inspects a unified image tarball; a unified VM image is refused, with the reason. */
export async function inspectUnified(path: string, field: string): Promise<Inspected> {
  const { kind, metadata, vm } = await tarballMetadata(path, field, true);
  if (vm)
    throw new ValidationError(
      field,
      'a unified virtual-machine image cannot be served from a simplestreams tree: LXD and Incus ' +
        'take a unified item (lxd_combined.tar.gz, incus_combined.tar.gz) for a container only. ' +
        'Add it split: { metadata, rootfs } (lxc image export writes it so)',
    );
  return { type: 'container', metadata, meta: kind };
}

const ROOT_TYPES: Record<FileKind['kind'], RootType> = {
  tarball: 'root.tar.xz',
  squashfs: 'squashfs',
  qcow2: 'disk-kvm.img',
};

/** Inspects a split image: a metadata tarball and a rootfs (tarball, squashfs or qcow2 disk). */
export async function inspectSplit(metadata: string, rootfs: string): Promise<Inspected> {
  const meta = await tarballMetadata(metadata, 'source.metadata', false);
  const kind = await kindOf(rootfs, 'source.rootfs');
  if (kind === undefined)
    throw new ValidationError(
      'source.rootfs',
      `not an image rootfs (a tarball, squashfs or qcow2 disk): ${rootfs}`,
    );
  const type = ROOT_TYPES[kind.kind];
  return {
    type: type === 'disk-kvm.img' ? 'virtual-machine' : 'container',
    metadata: meta.metadata,
    meta: meta.kind,
    root: { kind, type },
  };
}
