import type { Image } from '../wire/schemas.js';
import { toImage } from './image-of.js';
import {
  COMBINED,
  META,
  ROOTS,
  type Item,
  type Product,
  type Products,
  type Version,
} from './format.js';
import { validDate } from './names.js';
import { aliasList } from './product.js';

/** An image of a tree, with where it sits. */
export interface TreeImage {
  image: Image;
  /** Its product's key. */
  product: string;
  /** Its version key. */
  version: string;
  /** The paths of its files, relative to the root (metadata first). */
  files: string[];
}

// The images of one version: LXD's items, then Incus's (the same image once).
function versionImages(
  key: string,
  product: Product,
  [serial, version]: [string, Version],
): TreeImage[] {
  const out = new Map<string, TreeImage>();
  const items = Object.values(version.items);
  for (const meta of items) {
    const pairs: (Item | undefined)[] =
      meta.ftype === COMBINED.lxd || meta.ftype === COMBINED.incus
        ? [undefined]
        : meta.ftype === META.lxd || meta.ftype === META.incus
          ? items.filter((i) => i.ftype in ROOTS)
          : [];
    for (const root of pairs) {
      const image = toImage({ product, serial, version }, meta, root);
      if (image === undefined || out.has(image.fingerprint)) continue;
      const files = root === undefined ? [meta.path] : [meta.path, root.path];
      out.set(image.fingerprint, { image, product: key, version: serial, files });
    }
  }
  return [...out.values()];
}

// The clients' order: os, release, variant, newest serial first, architecture, preferred type.
function compare(a: Image, b: Image): number {
  for (const prop of ['os', 'release', 'variant', 'serial', 'architecture']) {
    const [x, y] = [a.properties[prop] ?? '', b.properties[prop] ?? ''];
    if (x === y) continue;
    if (x === '') return 1;
    if (prop === 'serial') return x > y ? -1 : 1;
    return x < y ? -1 : 1;
  }
  const score = (i: Image): number =>
    ['squashfs', 'root.tar.xz', 'disk-kvm.img'].indexOf(i.properties.type ?? '');
  return score(a) - score(b);
}

/** An alias as the clients derive it from a product: a name for one type and architecture. */
export interface AliasEntry {
  name: string;
  type: string;
  architecture: string;
  target: string;
}

/**
 * The images of a tree and their aliases, as `lxc` and `incus` derive them (pure): versions
 * whose key does not start with a date are skipped, the newest version of a product gets its
 * aliases (short ones only for this machine's architecture) and `<alias>/<arch>`.
 */
export function treeView(
  products: Products,
  localArch: string,
): { images: TreeImage[]; aliases: AliasEntry[] } {
  const all: TreeImage[] = [];
  for (const [key, product] of Object.entries(products.products))
    for (const [serial, version] of Object.entries(product.versions))
      if (serial.length >= 8 && validDate(serial.slice(0, 8)))
        all.push(...versionImages(key, product, [serial, version]));
  all.sort((a, b) => compare(a.image, b.image));
  const aliases: AliasEntry[] = [];
  const add = (name: string, t: TreeImage): boolean => {
    const { type, architecture, fingerprint } = t.image;
    if (aliases.some((e) => e.name === name && e.type === type && e.architecture === architecture))
      return false;
    aliases.push({ name, type, architecture, target: fingerprint });
    return true;
  };
  for (const t of all) {
    const product = products.products[t.product];
    for (const name of product === undefined ? [] : aliasList(product)) {
      if (add(name, t) && t.image.architecture === localArch)
        t.image.aliases.push({ name, description: '' });
      const medium = `${name}/${t.image.properties.architecture ?? ''}`;
      if (add(medium, t)) t.image.aliases.push({ name: medium, description: '' });
    }
  }
  return { images: all, aliases };
}
