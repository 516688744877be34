import { architectureName, type Flavor } from './arch.js';
import type { Item, Product } from './products.js';

/** An image as the client makes it from a product version (its `ToLXD`/`ToAPI`). */
export interface StreamImage {
  fingerprint: string;
  /** The client's name (`x86_64`), not the product's (`amd64`). */
  architecture: string;
  type: 'container' | 'virtual-machine';
  properties: Record<string, string>;
  size: number;
  filename: string;
  /** RFC 3339, as the client prints it (`created_at` and `uploaded_at`). */
  created: string;
  /** RFC 3339: the product's `support_eol`, else the Unix epoch. */
  expires: string;
  /** The aliases it shows (`null` when none); the product's aliases until they are expanded. */
  aliases: string[] | null;
}

// The item types each client reads: unified tarball, metadata of a split image.
const UNIFIED: Record<Flavor, string> = {
  lxd: 'lxd_combined.tar.gz',
  incus: 'incus_combined.tar.gz',
};
const META: Record<Flavor, string> = { lxd: 'lxd.tar.xz', incus: 'incus.tar.xz' };
const ROOTS = new Set(['disk1.img', 'disk-kvm.img', 'uefi1.img', 'root.tar.xz', 'squashfs']);
const VM_ROOTS = new Set(['disk1.img', 'disk-kvm.img', 'uefi1.img']);
// Which combined hash is the fingerprint, by root file type.
const COMBINED: Record<string, string> = {
  squashfs: 'combined_squashfs_sha256',
  'disk-kvm.img': 'combined_disk-kvm-img_sha256',
  'disk1.img': 'combined_disk1-img_sha256',
  'uefi1.img': 'combined_uefi1-img_sha256',
};

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Go's `time.Parse` of `YYYY`, `MM`, `DD` digits as RFC 3339 midnight UTC, or `undefined`. */
export function goDate(year: string, month: string, day: string): string | undefined {
  if (!/^\d{4}$/.test(year) || !/^\d\d$/.test(month) || !/^\d\d$/.test(day)) return undefined;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = m === 2 && leap ? 29 : DAYS[m - 1];
  if (days === undefined || d < 1 || d > days) return undefined;
  return `${year}-${month}-${day}T00:00:00Z`;
}

// The fingerprint of a split image (metadata + root), or of a unified one.
function fingerprintOf(meta: Item, root: Item | undefined): string {
  if (!root) return meta.sha256;
  if (root.ftype === 'root.tar.xz') {
    const rootxz = meta.combined.combined_rootxz_sha256 ?? '';
    return rootxz !== '' ? rootxz : (meta.combined.combined_sha256 ?? '');
  }
  const key = COMBINED[root.ftype];
  return key === undefined ? '' : (meta.combined[key] ?? '');
}

// What every image of a product shares.
interface ProductFacts {
  product: Product;
  architecture: string;
  expires: string;
  aliases: string[] | null;
  requirements: [string, string][];
}

// What every image of a version shares.
interface VersionFacts {
  serial: string;
  label: string;
  created: string;
}

// The facts of a product, or undefined for an architecture the client does not know.
function productFacts(product: Product, flavor: Flavor): ProductFacts | undefined {
  const architecture = architectureName(flavor, product.arch);
  if (architecture === undefined) return undefined;
  const eol = /^(.{4})-(.{2})-(.{2})$/s.exec(product.support_eol);
  const expires = eol ? goDate(eol[1] ?? '', eol[2] ?? '', eol[3] ?? '') : undefined;
  return {
    product,
    architecture,
    expires: expires ?? '1970-01-01T00:00:00Z',
    aliases: product.aliases === '' ? null : product.aliases.split(','),
    requirements: Object.entries(product.requirements).map(([k, v]) => [`requirements.${k}`, v]),
  };
}

// Sets a property unless its value is empty (the client deletes the empty ones).
function set(properties: Record<string, string>, key: string, value: string): void {
  if (value !== '') properties[key] = value;
}

// The properties the client gives an image, empty values left out.
function propertiesOf(
  facts: ProductFacts,
  version: VersionFacts,
  root: Item | undefined,
): Record<string, string> {
  const { product } = facts;
  let description = `${product.os} ${product.release_title} ${product.arch}`;
  if (version.label !== '') description = `${description} (${version.label})`;
  const properties: Record<string, string> = {};
  set(properties, 'os', product.os);
  set(properties, 'release', product.release);
  set(properties, 'version', product.version);
  set(properties, 'architecture', product.arch);
  set(properties, 'label', version.label);
  set(properties, 'serial', version.serial);
  set(properties, 'description', `${description} (${version.serial})`);
  for (const [key, value] of facts.requirements) set(properties, key, value);
  set(properties, 'variant', product.variant);
  properties.type = root ? root.ftype : 'tar.gz';
  return properties;
}

// One image, or undefined where the client skips it (no fingerprint, no path).
function imageOf(
  facts: ProductFacts,
  version: VersionFacts,
  meta: Item,
  root?: Item,
): StreamImage | undefined {
  const fingerprint = fingerprintOf(meta, root);
  if (fingerprint === '' || meta.path === '') return undefined;
  return {
    fingerprint,
    architecture: facts.architecture,
    type: root && VM_ROOTS.has(root.ftype) ? 'virtual-machine' : 'container',
    properties: propertiesOf(facts, version, root),
    size: meta.size + (root?.size ?? 0),
    filename: meta.path.slice(meta.path.lastIndexOf('/') + 1),
    created: version.created,
    expires: facts.expires,
    aliases: facts.aliases,
  };
}

/** The images a client makes of a products file, in the file's order (before sorting). */
export function toImages(products: readonly Product[], flavor: Flavor): StreamImage[] {
  const images: StreamImage[] = [];
  const add = (image: StreamImage | undefined): void => {
    if (image) images.push(image);
  };
  for (const product of products) {
    const facts = productFacts(product, flavor);
    if (!facts) continue;
    for (const [serial, { label, items }] of product.versions) {
      const created = goDate(serial.slice(0, 4), serial.slice(4, 6), serial.slice(6, 8));
      if (created === undefined) continue;
      const version = { serial, label, created };
      for (const meta of items) {
        if (meta.ftype === UNIFIED[flavor]) add(imageOf(facts, version, meta));
        if (meta.ftype !== META[flavor]) continue;
        for (const root of items)
          if (ROOTS.has(root.ftype)) add(imageOf(facts, version, meta, root));
      }
    }
  }
  return images;
}
