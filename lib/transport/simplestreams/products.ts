import type { Flavor } from './arch.js';

// The simplestreams documents, decoded as the clients' Go structs decode them: a missing or
// null field is its zero value, unknown fields are ignored, and a value of the wrong type fails
// the whole document (Go's `json.Unmarshal` reports it and the client gives up).

/** `streams/v1/index.json`: the products files that hold images. */
export interface StreamIndex {
  datatype: string;
  path: string;
  products: string[];
}

/** One file of a product version. */
export interface Item {
  ftype: string;
  path: string;
  sha256: string;
  size: number;
  /** The `combined_*_sha256` hashes of a metadata item, by key. */
  combined: Readonly<Record<string, string>>;
  delta_base: string;
}

/** One version of a product. */
export interface Version {
  label: string;
  items: Item[];
}

/** One product of a products file. */
export interface Product {
  aliases: string;
  arch: string;
  os: string;
  release: string;
  release_title: string;
  version: string;
  variant: string;
  support_eol: string;
  /** `lxd_requirements` (read by LXD) or `requirements` (read by Incus). */
  requirements: Readonly<Record<string, string>>;
  versions: [string, Version][];
}

/** A document that does not decode: Go's `json: cannot unmarshal …`. */
export class DecodeError extends Error {}
DecodeError.prototype.name = 'DecodeError';

type Json = Record<string, unknown>;

// Where each client reads a product's requirements.
const REQUIREMENTS: Record<Flavor, string> = { lxd: 'lxd_requirements', incus: 'requirements' };

// Go's complaint about a value of the wrong type for `struct`.`field` (worded only on error).
function mistyped(value: unknown, struct: string, field: string, type: string): DecodeError {
  const where = field === '' ? struct : `${struct}.${field}`;
  return new DecodeError(`json: cannot unmarshal ${kind(value)} into ${where} of type ${type}`);
}

// A Go struct or map: a JSON object, or null (the zero value).
function object(value: unknown, struct: string, field = ''): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw mistyped(value, struct, field, 'object');
  return value as Json;
}

// A Go string: a JSON string, or null.
function text(value: unknown, struct: string, field = ''): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw mistyped(value, struct, field, 'string');
  return value;
}

// A Go int64: a JSON integer, or null.
function int(value: unknown, struct: string, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw mistyped(value, struct, field, 'int64');
  return value;
}

// A Go map[string]string.
function strings(value: unknown, struct: string, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(object(value, struct, field)))
    out[key] = text(v, struct, field);
  return out;
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

// The combined hashes a metadata item may carry (one per kind of root file).
const COMBINED = [
  'combined_sha256',
  'combined_rootxz_sha256',
  'combined_squashfs_sha256',
  'combined_disk-kvm-img_sha256',
  'combined_disk1-img_sha256',
  'combined_uefi1-img_sha256',
];

const ITEM = 'ProductVersionItem';

// One item: its fields and its combined hashes.
function item(value: unknown): Item {
  const raw = object(value, ITEM);
  const combined: Record<string, string> = {};
  for (const key of COMBINED) combined[key] = text(raw[key], ITEM, key);
  text(raw.md5, ITEM, 'md5');
  return {
    ftype: text(raw.ftype, ITEM, 'ftype'),
    path: text(raw.path, ITEM, 'path'),
    sha256: text(raw.sha256, ITEM, 'sha256'),
    size: int(raw.size, ITEM, 'size'),
    combined,
    delta_base: text(raw.delta_base, ITEM, 'delta_base'),
  };
}

function version(value: unknown): Version {
  const raw = object(value, 'ProductVersion');
  text(raw.pubname, 'ProductVersion', 'pubname');
  const items = Object.values(object(raw.items, 'ProductVersion', 'items')).map(item);
  return { label: text(raw.label, 'ProductVersion', 'label'), items };
}

/** Decodes one product, as `flavor`'s client does. */
export function decodeProduct(value: unknown, flavor: Flavor): Product {
  const raw = object(value, 'Product');
  const s = (key: string): string => text(raw[key], 'Product', key);
  for (const key of ['release_codename', 'support_eol', 'version']) s(key);
  if (raw.supported !== undefined && raw.supported !== null && typeof raw.supported !== 'boolean')
    throw mistyped(raw.supported, 'Product', 'supported', 'bool');
  const versions = Object.entries(object(raw.versions, 'Product', 'versions'));
  return {
    aliases: s('aliases'),
    arch: s('arch'),
    os: s('os'),
    release: s('release'),
    release_title: s('release_title'),
    version: s('version'),
    variant: s('variant'),
    support_eol: s('support_eol'),
    requirements: strings(raw[REQUIREMENTS[flavor]], 'Product', REQUIREMENTS[flavor]),
    versions: versions.map(([name, v]) => [name, version(v)]),
  };
}

/** Decodes a products file: every product, in the file's order. */
export function decodeProducts(value: unknown, flavor: Flavor): Product[] {
  const raw = object(value, 'Products');
  for (const key of ['content_id', 'datatype', 'format', 'license', 'updated'])
    text(raw[key], 'Products', key);
  const products = Object.values(object(raw.products, 'Products', 'products'));
  return products.map((product) => decodeProduct(product, flavor));
}

/** Decodes `index.json`: its entries, in the file's order. */
export function decodeIndex(value: unknown): StreamIndex[] {
  const raw = object(value, 'Stream');
  text(raw.format, 'Stream', 'format');
  text(raw.updated, 'Stream', 'updated');
  return Object.values(object(raw.index, 'Stream', 'index')).map((entry) => {
    const e = object(entry, 'StreamIndex');
    text(e.format, 'StreamIndex', 'format');
    text(e.updated, 'StreamIndex', 'updated');
    const products = e.products ?? [];
    if (!Array.isArray(products)) throw mistyped(products, 'StreamIndex', 'products', '[]string');
    return {
      datatype: text(e.datatype, 'StreamIndex', 'datatype'),
      path: text(e.path, 'StreamIndex', 'path'),
      products: products.map((p) => text(p, 'StreamIndex', 'products')),
    };
  });
}
