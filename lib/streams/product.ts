import { COMBINED, META, ROOTS, type Item, type Product, type RootType } from './format.js';

/** One file of an image as it will sit in the tree. */
export interface TreeFile {
  /** Path relative to the tree's root (`images/<sha256>.tar.gz`). */
  path: string;
  sha256: string;
  size: number;
}

/** The files of an image to list: a unified tarball, or metadata plus a root file. */
export type ImageFiles =
  | { meta: TreeFile; root?: undefined }
  | { meta: TreeFile; root: TreeFile & { type: RootType }; combined: string };

/**
 * The items of one version (pure): every file listed under LXD's file type and under Incus's,
 * the same path, size and hashes, so that both clients find the image.
 */
export function itemsFor(files: ImageFiles): Record<string, Item> {
  const file = (ftype: string, f: TreeFile): Item => ({
    ftype,
    path: f.path,
    sha256: f.sha256,
    size: f.size,
  });
  if (files.root === undefined) {
    return {
      [COMBINED.lxd]: file(COMBINED.lxd, files.meta),
      [COMBINED.incus]: file(COMBINED.incus, files.meta),
    };
  }
  const hashes: Partial<Item> = { [ROOTS[files.root.type]]: files.combined };
  // LXD 5.0 and Incus read `combined_sha256` when `combined_rootxz_sha256` is absent; set both
  if (files.root.type === 'root.tar.xz') hashes.combined_sha256 = files.combined;
  return {
    [META.lxd]: { ...file(META.lxd, files.meta), ...hashes },
    [META.incus]: { ...file(META.incus, files.meta), ...hashes },
    [files.root.type]: file(files.root.type, files.root),
  };
}

/** What identifies a product and what it says of itself. */
export interface ProductFields {
  os: string;
  release: string;
  variant: string;
  /** The Debian name (`amd64`). */
  arch: string;
  releaseTitle?: string | undefined;
  version?: string | undefined;
  requirements?: Record<string, string> | undefined;
}

/** The key of a product: `os:release:arch:variant` (pure). */
export function productKey(p: ProductFields): string {
  return `${p.os}:${p.release}:${p.arch}:${p.variant}`;
}

/** The product's aliases, as a list (pure). */
export function aliasList(product: Product): string[] {
  return product.aliases.split(',').filter((a) => a !== '');
}

/** A product with its fields set from `fields`, its aliases joined with `aliases` (pure). */
export function mergedProduct(
  current: Product | undefined,
  fields: ProductFields,
  aliases: readonly string[],
): Product {
  const base: Product = current ?? {
    aliases: '',
    arch: fields.arch,
    os: fields.os,
    release: fields.release,
    release_title: fields.release,
    variant: fields.variant,
    versions: {},
  };
  const all = [...new Set([...aliasList(base), ...aliases])];
  const next: Product = { ...base, aliases: all.join(',') };
  if (fields.releaseTitle !== undefined) next.release_title = fields.releaseTitle;
  if (fields.version !== undefined) next.version = fields.version;
  if (fields.requirements !== undefined) {
    next.lxd_requirements = { ...next.lxd_requirements, ...fields.requirements };
    next.requirements = { ...next.requirements, ...fields.requirements };
  }
  return next;
}

/** `YYYYMMDD_HHMM` in UTC for a time in seconds since the epoch (pure). */
export function versionKeyOf(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString(); // 2023-11-14T22:13:20.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * A free version key for `seconds` in `product` (pure): `YYYYMMDD_HHMM`, or with `_01`, `_02`…
 * after it when that one is taken, which both clients sort after it (newer).
 */
export function freeVersionKey(product: Product | undefined, seconds: number): string {
  const base = versionKeyOf(seconds);
  const taken = new Set(Object.keys(product?.versions ?? {}));
  if (!taken.has(base)) return base;
  for (let n = 1; ; n++) {
    const key = `${base}_${String(n).padStart(2, '0')}`;
    if (!taken.has(key)) return key;
  }
}
