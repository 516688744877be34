import type { Products } from './format.js';
import { streamsCall, type Mutator } from './call.js';
import { referencedPaths, removeAll } from './files.js';
import { withTreeLock } from './lock.js';
import { localArchitecture } from './names.js';
import { treeRoot } from './paths.js';
import { resolveRef } from './resolve.js';
import { readProducts, writeTree } from './tree.js';
import { checkRef } from '../wire/validate.js';
import { treeView, type TreeImage } from './view.js';

/** The products without one image's version; a product left with none goes too (pure). */
export function withoutImage(products: Products, target: TreeImage): Products {
  const next = structuredClone(products);
  const product = next.products[target.product];
  if (product === undefined) return next;
  product.versions = Object.fromEntries(
    Object.entries(product.versions).filter(([key]) => key !== target.version),
  );
  if (Object.keys(product.versions).length === 0)
    next.products = Object.fromEntries(
      Object.entries(next.products).filter(([key]) => key !== target.product),
    );
  return next;
}

/**
 * Removes an image from a tree, by fingerprint, unique prefix or alias (an alias names its
 * product's newest version): the index is rewritten first, then its files no longer named
 * are deleted.
 * @throws NotFoundError when the tree has no such image.
 * @example await remove('/srv/images', 'alpine/3.19');
 */
export function remove<R = undefined>(
  dir: string,
  ref: string,
  options?: Record<string, never> | Mutator<undefined, R>,
  mutator?: Mutator<undefined, R>,
): Promise<NoInfer<R>> {
  return streamsCall<Record<string, never>, undefined, R>(options, mutator, async () => {
    const checked = checkRef(ref);
    const root = await treeRoot(dir);
    await withTreeLock(root, async () => {
      const products = await readProducts(root);
      const target = resolveRef(
        treeView(products, localArchitecture()),
        checked,
        localArchitecture(),
      );
      const next = withoutImage(products, target);
      await writeTree(root, next);
      const still = referencedPaths(next);
      await removeAll(
        root,
        target.files.filter((path) => !still.has(path)),
      );
    });
  });
}
