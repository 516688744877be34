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

// The properties the client gives an image, empty values left out.
function propertiesOf(input: ImageInput, description: string): Record<string, string> {
  const { product, serial, label, root } = input;
  const properties: Record<string, string> = {
    os: product.os,
    release: product.release,
    version: product.version,
    architecture: product.arch,
    label,
    serial,
    description,
  };
  for (const [key, value] of Object.entries(product.requirements))
    properties[`requirements.${key}`] = value;
  if (product.variant !== '') properties.variant = product.variant;
  properties.type = root ? root.ftype : 'tar.gz';
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== ''));
}

interface ImageInput {
  flavor: Flavor;
  product: Product;
  architecture: string;
  serial: string;
  label: string;
  created: string;
  meta: Item;
  root?: Item | undefined;
}

// One image, or undefined where the client skips it (no fingerprint, no path).
function imageOf(input: ImageInput): StreamImage | undefined {
  const { product, serial, label, meta, root } = input;
  const fingerprint = fingerprintOf(meta, root);
  if (fingerprint === '' || meta.path === '') return undefined;
  let description = `${product.os} ${product.release_title} ${product.arch}`;
  if (label !== '') description = `${description} (${label})`;
  description = `${description} (${serial})`;
  const eol = /^(.{4})-(.{2})-(.{2})$/s.exec(product.support_eol);
  return {
    fingerprint,
    architecture: input.architecture,
    type: root && VM_ROOTS.has(root.ftype) ? 'virtual-machine' : 'container',
    properties: propertiesOf(input, description),
    size: meta.size + (root?.size ?? 0),
    filename: meta.path.split('/').pop() ?? '',
    created: input.created,
    expires: (eol && goDate(eol[1] ?? '', eol[2] ?? '', eol[3] ?? '')) ?? '1970-01-01T00:00:00Z',
    aliases: product.aliases === '' ? null : product.aliases.split(','),
  };
}

/** The images a client makes of a products file, in the file's order (before sorting). */
export function toImages(products: readonly Product[], flavor: Flavor): StreamImage[] {
  const images: StreamImage[] = [];
  const add = (input: ImageInput): void => {
    const image = imageOf(input);
    if (image) images.push(image);
  };
  for (const product of products) {
    const architecture = architectureName(flavor, product.arch);
    if (architecture === undefined) continue;
    for (const [serial, version] of product.versions) {
      const created = goDate(serial.slice(0, 4), serial.slice(4, 6), serial.slice(6, 8));
      if (created === undefined) continue;
      const base = { flavor, product, architecture, serial, label: version.label, created };
      for (const meta of version.items) {
        if (meta.ftype === UNIFIED[flavor]) add({ ...base, meta });
        if (meta.ftype !== META[flavor]) continue;
        for (const root of version.items) if (ROOTS.has(root.ftype)) add({ ...base, meta, root });
      }
    }
  }
  return images;
}
