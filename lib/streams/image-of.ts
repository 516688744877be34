import { ImageSchema, type Image } from '../wire/schemas.js';
import { ROOTS, type Item, type Product, type Version } from './format.js';
import { architectureOf } from './names.js';

/** Where an image sits: its product, version key and version. */
interface VersionAt {
  product: Product;
  serial: string;
  version: Version;
}

// The properties the clients give an image: the product's, the version's, and empty ones dropped.
function propertiesOf(
  { product, serial, version }: VersionAt,
  root?: Item,
): Record<string, string> {
  let description = `${product.os} ${product.release_title} ${product.arch}`;
  if (version.label !== undefined && version.label !== '') description += ` (${version.label})`;
  const requirements = { ...product.lxd_requirements, ...product.requirements };
  const properties: Record<string, string | undefined> = {
    os: product.os,
    release: product.release,
    version: product.version,
    architecture: product.arch,
    label: version.label,
    serial,
    description: `${description} (${serial})`,
    ...Object.fromEntries(Object.entries(requirements).map(([k, v]) => [`requirements.${k}`, v])),
    variant: product.variant,
    type: root === undefined ? 'tar.gz' : root.ftype,
  };
  return Object.fromEntries(
    Object.entries(properties).filter(
      (e): e is [string, string] => e[1] !== undefined && e[1] !== '',
    ),
  );
}

/**
 * The image the clients build from one metadata item (and root item) of a version, as their
 * `ToLXD`/`ToAPI` do (pure); undefined when they would skip it.
 */
export function toImage(at: VersionAt, meta: Item, root?: Item): Image | undefined {
  const { product, serial } = at;
  const arch = architectureOf(product.arch);
  const fingerprint = root === undefined ? meta.sha256 : combinedOf(meta, root);
  if (arch === undefined || fingerprint === undefined || fingerprint === '' || meta.path === '')
    return undefined;
  const date = `${serial.slice(0, 4)}-${serial.slice(4, 6)}-${serial.slice(6, 8)}T00:00:00Z`;
  const vm = root !== undefined && ['disk1.img', 'disk-kvm.img', 'uefi1.img'].includes(root.ftype);
  return ImageSchema.parse({
    fingerprint,
    aliases: [],
    architecture: arch.kernel,
    public: true,
    size: meta.size + (root?.size ?? 0),
    created_at: date,
    uploaded_at: date,
    expires_at: '1970-01-01T00:00:00Z',
    last_used_at: '0001-01-01T00:00:00Z',
    filename: meta.path.split('/').pop(),
    properties: propertiesOf(at, root),
    type: vm ? 'virtual-machine' : 'container',
    profiles: null,
  });
}

/** The combined hash a metadata item gives for a root item, as the clients pick it (pure). */
export function combinedOf(meta: Item, root: Item): string | undefined {
  if (root.ftype === 'root.tar.xz') return meta[ROOTS['root.tar.xz']] ?? meta.combined_sha256;
  if (root.ftype in ROOTS) return meta[ROOTS[root.ftype as keyof typeof ROOTS]];
  return undefined;
}
