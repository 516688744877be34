import { personalities, type Flavor } from './arch.js';
import type { StreamImage } from './convert.js';
import { goSort } from './go-sort.js';

/** An alias as the client records it while expanding a product's aliases. */
export interface AliasEntry {
  name: string;
  target: string;
  type: string;
  architecture: string;
}

/** Where a catalog is built: the client's flavour, the host's architecture, the remote's URL. */
export interface CatalogContext {
  flavor: Flavor;
  /** `uname -m` of the host the client runs on (`x86_64`). */
  machine: string;
  url: string;
}

// Go compares strings byte by byte (UTF-8); JS by UTF-16 unit: the same but for surrogates.
function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Orders UTF-16 units as their code points order (surrogates stand for code points above 0xffff).
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  return unit >= 0xd800 ? unit + 0x2000 : unit;
}

const TYPE_PREFERENCE = ['squashfs', 'root.tar.xz', 'disk-kvm.img', 'uefi1.img', 'disk1.img'];

// One property of `sortedImages.Less`: undefined when equal (look at the next one).
function propertyLess(x = '', y = '', descending = false): boolean | undefined {
  if (x === y) return undefined;
  if (x === '') return false;
  return descending ? goCompare(x, y) > 0 : goCompare(x, y) < 0;
}

// The clients' `sortedImages.Less`, bugs included (an empty property is never "less"): by os,
// release, variant, newest serial, architecture, then the preferred root file type.
function imageLess(a: StreamImage, b: StreamImage): boolean {
  const x = a.properties;
  const y = b.properties;
  const less =
    propertyLess(x.os, y.os) ??
    propertyLess(x.release, y.release) ??
    propertyLess(x.variant, y.variant) ??
    propertyLess(x.serial, y.serial, true) ??
    propertyLess(x.architecture, y.architecture);
  if (less !== undefined) return less;
  if (x.type === y.type) return false;
  const score = (type = ''): number => Math.max(0, TYPE_PREFERENCE.indexOf(type));
  return score(x.type) < score(y.type);
}

// The clients' `sortedAliases.Less`: the host's architecture first, then its personalities.
function aliasLess(context: CatalogContext): (a: AliasEntry, b: AliasEntry) => boolean {
  const native = context.machine;
  const personality = personalities(context.flavor, native);
  return (a, b) => {
    if (a.architecture === b.architecture) return false;
    if (a.architecture === native) return true;
    return personality.has(a.architecture) && b.architecture !== native;
  };
}

/**
 * What a client makes of a remote's images: the images in its order with the aliases it shows
 * on each, and its list of aliases (`applyAliases`, `ListAliases`).
 */
export class Catalog {
  /** The images, sorted as the client lists them. */
  readonly images: readonly StreamImage[];
  private readonly entries: readonly AliasEntry[];
  private readonly less: (a: AliasEntry, b: AliasEntry) => boolean;
  // the sorted alias list, with the first entry of each name and type
  private sorted: { list: AliasEntry[]; first: Map<string, AliasEntry> } | undefined;

  constructor(images: StreamImage[], context: CatalogContext) {
    goSort(images, imageLess);
    this.entries = expandAliases(images, context);
    this.images = images;
    this.less = aliasLess(context);
  }

  /** `ListAliases`: the sorted list, first entry of each name and type. */
  aliasList(): AliasEntry[] {
    return [...this.sortedList().first.values()];
  }

  // The alias list, sorted as the client sorts it (Go's sort, which is not stable).
  private sortedList(): { list: AliasEntry[]; first: Map<string, AliasEntry> } {
    if (this.sorted) return this.sorted;
    const list = [...this.entries];
    goSort(list, this.less);
    const first = new Map<string, AliasEntry>();
    for (const entry of list) {
      const key = `${entry.type}\0${entry.name}`;
      if (!first.has(key)) first.set(key, entry);
    }
    this.sorted = { list, first };
    return this.sorted;
  }
}

// `applyAliases`: each alias short (shown on the host's architecture only) and with the
// product's architecture; the first image (in list order) of a type and architecture owns it.
function expandAliases(images: StreamImage[], context: CatalogContext): AliasEntry[] {
  const defaultOS = context.flavor === 'lxd' && context.url.startsWith(UBUNTU) ? 'ubuntu/' : '';
  const entries: AliasEntry[] = [];
  // names taken, by type and architecture
  const seen = new Map<string, Map<string, Set<string>>>();
  const add = (image: StreamImage, raw: string): string | undefined => {
    const name = defaultOS !== '' && raw.startsWith(defaultOS) ? raw.slice(defaultOS.length) : raw;
    const { fingerprint: target, type, architecture } = image;
    let byArch = seen.get(type);
    if (!byArch) seen.set(type, (byArch = new Map<string, Set<string>>()));
    let names = byArch.get(architecture);
    if (!names) byArch.set(architecture, (names = new Set()));
    if (names.has(name)) return undefined;
    names.add(name);
    entries.push({ name, target, type, architecture });
    return name;
  };
  for (const image of images) {
    const given = image.aliases;
    if (given === null) continue;
    const shown: string[] = [];
    for (const alias of given) {
      const short = add(image, alias);
      if (short !== undefined && image.architecture === context.machine) shown.push(short);
      const medium = add(image, `${alias}/${image.properties.architecture ?? ''}`);
      if (medium !== undefined) shown.push(medium);
    }
    image.aliases = shown.length === 0 ? null : shown;
  }
  return entries;
}

// LXD strips `ubuntu/` from the aliases of Canonical's cloud images server.
const UBUNTU = 'https://cloud-images.ubuntu.com';
