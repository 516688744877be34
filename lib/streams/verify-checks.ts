import type { FileFacts } from './file-facts.js';
import { COMBINED, META, ROOTS, type Item, type Product, type Version } from './format.js';
import { architectureOf, validDate } from './names.js';
import { insideTree } from './paths.js';
import { combinedOf } from './image-of.js';

/** What is wrong with a tree, found by `verify`. */
export type ProblemKind =
  | 'index'
  | 'product'
  | 'version'
  | 'step'
  | 'path'
  | 'missing'
  | 'size'
  | 'sha256'
  | 'combined'
  | 'orphan';

/** One problem of a tree. */
export interface Problem {
  /** The file, or `<products file>#<product>/<version>` for an entry. */
  path: string;
  kind: ProblemKind;
  detail: string;
}

const SAME = ['path', 'sha256', 'size', ...Object.values(ROOTS), 'combined_sha256'] as const;

// LXD's and Incus's items of a version name the same files with the same hashes.
function stepProblems(where: string, version: Version): Problem[] {
  const problems: Problem[] = [];
  const byType = new Map(Object.values(version.items).map((i) => [i.ftype, i]));
  for (const [lxd, incus] of [
    [COMBINED.lxd, COMBINED.incus],
    [META.lxd, META.incus],
  ] as const) {
    const [a, b] = [byType.get(lxd), byType.get(incus)];
    if (a === undefined && b === undefined) continue;
    if (a === undefined || b === undefined) {
      problems.push({
        path: where,
        kind: 'step',
        detail: `${a === undefined ? lxd : incus} is missing beside ${a === undefined ? incus : lxd}`,
      });
      continue;
    }
    const differ = SAME.filter((field) => a[field] !== b[field]);
    if (differ.length > 0)
      problems.push({
        path: where,
        kind: 'step',
        detail: `${lxd} and ${incus} differ in ${differ.join(', ')}`,
      });
  }
  return problems;
}

// One item's file: inside the tree, present, of its size and hash.
async function itemProblems(where: string, item: Item, facts: FileFacts): Promise<Problem[]> {
  if (insideTree(facts.root, item.path) === undefined)
    return [
      {
        path: where,
        kind: 'path',
        detail: `${item.ftype} names a path outside the tree: ${JSON.stringify(item.path)}`,
      },
    ];
  if (facts.checked.has(item.path)) return [];
  facts.checked.add(item.path);
  const file = await facts.of(item.path);
  if (file === undefined)
    return [
      { path: item.path, kind: 'missing', detail: `${where} names it, and it cannot be read` },
    ];
  const problems: Problem[] = [];
  if (file.size !== item.size)
    problems.push({
      path: item.path,
      kind: 'size',
      detail: `${file.size} bytes; the index says ${item.size}`,
    });
  if (file.sha256 !== item.sha256)
    problems.push({
      path: item.path,
      kind: 'sha256',
      detail: `sha256 ${file.sha256}; the index says ${item.sha256}`,
    });
  return problems;
}

// The combined hash of each metadata item with each root item.
async function combinedProblems(
  where: string,
  version: Version,
  facts: FileFacts,
): Promise<Problem[]> {
  const items = Object.values(version.items);
  const problems: Problem[] = [];
  for (const meta of items.filter((i) => i.ftype === META.lxd || i.ftype === META.incus))
    for (const root of items.filter((i) => i.ftype in ROOTS)) {
      const expected = combinedOf(meta, root);
      const pair = `${meta.path}|${root.path}|${expected ?? ''}`;
      if (facts.checked.has(pair)) continue;
      facts.checked.add(pair);
      const actual = await facts.read([meta.path, root.path]);
      if (expected === undefined)
        problems.push({
          path: where,
          kind: 'combined',
          detail: `${meta.ftype} has no combined hash for ${root.ftype}`,
        });
      else if (actual !== undefined && actual.sha256 !== expected)
        problems.push({
          path: where,
          kind: 'combined',
          detail: `${meta.ftype} says ${expected} for ${root.ftype}; the files hash to ${actual.sha256}`,
        });
    }
  return problems;
}

/** The problems of one product's entries and files. */
export async function productProblems(
  where: string,
  product: Product,
  facts: FileFacts,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (architectureOf(product.arch) === undefined)
    problems.push({
      path: where,
      kind: 'product',
      detail: `architecture ${product.arch} is one neither client knows`,
    });
  for (const [key, version] of Object.entries(product.versions)) {
    const at = `${where}/${key}`;
    if (!/^\d{8}/.test(key) || !validDate(key.slice(0, 8)))
      problems.push({
        path: at,
        kind: 'version',
        detail: 'the key does not start with a date YYYYMMDD; both clients skip it',
      });
    problems.push(...stepProblems(at, version));
    for (const item of Object.values(version.items))
      problems.push(...(await itemProblems(at, item, facts)));
    problems.push(...(await combinedProblems(at, version, facts)));
  }
  return problems;
}
