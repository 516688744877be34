import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseJson } from '../wire/parse.js';
import {
  emptyProducts,
  INDEX_PATH,
  indexFor,
  IndexSchema,
  PRODUCTS_PATH,
  ProductsSchema,
  type Index,
  type Products,
} from './format.js';
import { tempName } from './paths.js';

// A file's text, or undefined when it does not exist.
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The tree's products file; an empty one when the tree has none yet. A bad one is a ParseError. */
export async function readProducts(root: string): Promise<Products> {
  const text = await readText(join(root, PRODUCTS_PATH));
  return text === undefined ? emptyProducts() : parseJson(ProductsSchema, text);
}

/** The tree's index file, or undefined when it has none. A bad one is a ParseError. */
export async function readIndex(root: string): Promise<Index | undefined> {
  const text = await readText(join(root, INDEX_PATH));
  return text === undefined ? undefined : parseJson(IndexSchema, text);
}

/** A file written under a temporary name beside its final one, ready to be renamed in. */
export interface PendingFile {
  temp: string;
  final: string;
}

/** Writes `text` to a temporary name beside `final` (its folder made if needed). */
export async function writePending(final: string, text: string): Promise<PendingFile> {
  await mkdir(dirname(final), { recursive: true });
  const temp = join(dirname(final), tempName('json'));
  await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
  return { temp, final };
}

/** The products file and the index for `products`, written to temporary names. */
export async function pendingTree(root: string, products: Products): Promise<PendingFile[]> {
  const updated = new Date().toUTCString();
  const withDate = { ...products, updated };
  return [
    await writePending(join(root, PRODUCTS_PATH), `${JSON.stringify(withDate, null, 1)}\n`),
    await writePending(
      join(root, INDEX_PATH),
      `${JSON.stringify(indexFor(products, updated), null, 1)}\n`,
    ),
  ];
}

/** Renames pending files into place, in order. */
export async function commit(files: readonly PendingFile[]): Promise<void> {
  for (const { temp, final } of files) await rename(temp, final);
}

/** Removes pending files that were not renamed (after a failure). */
export async function discard(files: readonly PendingFile[]): Promise<void> {
  await Promise.all(files.map(({ temp }) => rm(temp, { force: true })));
}

/** Writes the products file, then the index, each by temporary name and rename. */
export async function writeTree(root: string, products: Products): Promise<void> {
  const pending = await pendingTree(root, products);
  try {
    await commit(pending);
  } finally {
    await discard(pending);
  }
}
