import { readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Products } from './format.js';
import { IMAGES_DIR } from './format.js';
import { alive, insideTree, tempOwner } from './paths.js';

/** Every item path the products file names (pure). */
export function referencedPaths(products: Products): Set<string> {
  const paths = new Set<string>();
  for (const product of Object.values(products.products))
    for (const version of Object.values(product.versions))
      for (const item of Object.values(version.items)) paths.add(item.path);
  return paths;
}

/** The files under `images/`, relative to the root with `/`, in-flight temporary ones apart. */
export async function imageFiles(root: string): Promise<{ files: string[]; temps: string[] }> {
  const entries = await readdir(join(root, IMAGES_DIR), {
    recursive: true,
    withFileTypes: true,
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const files: string[] = [];
  const temps: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
    (tempOwner(entry.name) === undefined ? files : temps).push(path);
  }
  return { files: files.sort(), temps };
}

/**
 * Temporary files and folders left by processes that are gone (a killed `add`): in the root,
 * `images/` and `streams/v1/`, relative paths.
 */
export async function deadTemps(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of ['', IMAGES_DIR, 'streams/v1']) {
    const names = await readdir(join(root, dir)).catch(() => [] as string[]);
    for (const name of names) {
      const pid = tempOwner(name);
      if (pid !== undefined && !alive(pid)) found.push(dir === '' ? name : `${dir}/${name}`);
    }
  }
  return found;
}

/** Removes files and folders by their paths relative to the root; a path that leaves the tree is skipped. */
export async function removeAll(root: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const full = insideTree(root, path);
    if (full !== undefined) await rm(full, { recursive: true, force: true });
  }
}
