import { ValidationError } from '../wire/errors.js';
import { streamsCall, type Mutator } from './call.js';
import type { Products } from './format.js';
import { deadTemps, imageFiles, referencedPaths, removeAll } from './files.js';
import { withTreeLock } from './lock.js';
import { localArchitecture } from './names.js';
import { treeRoot } from './paths.js';
import { readProducts, writeTree } from './tree.js';
import { treeView } from './view.js';

/** Options of `prune`. */
export interface PruneOptions {
  /** How many versions of each product to keep, newest first (at least 1). */
  keep: number;
  /** Say what would go, and change nothing. */
  dryRun?: boolean | undefined;
}

/** What `prune` resolves to. */
export interface PruneResult {
  /** Fingerprints of the images whose versions were dropped. */
  removed: string[];
  /** Fingerprints of the images still listed. */
  kept: string[];
  /** Files deleted (or that would be): those of dropped versions, orphans, dead temporary files. */
  files: string[];
}

/** The products with only the newest `keep` versions of each (pure; version keys sort as the clients sort them). */
export function keepNewest(products: Products, keep: number): Products {
  const next = structuredClone(products);
  for (const product of Object.values(next.products)) {
    const newest = Object.keys(product.versions).sort().reverse().slice(0, keep);
    product.versions = Object.fromEntries(
      Object.entries(product.versions).filter(([key]) => newest.includes(key)),
    );
  }
  return next;
}

// Checks `keep`: a whole number, at least 1.
function checkKeep(keep: unknown): number {
  if (typeof keep !== 'number' || !Number.isSafeInteger(keep) || keep < 1)
    throw new ValidationError('keep', 'must be a whole number of versions, at least 1');
  return keep;
}

/**
 * Keeps the newest `keep` versions of each product, and deletes the files no version names
 * (the dropped versions', orphans, and temporary files of killed `add`s).
 * @example await prune('/srv/images', { keep: 3 });
 */
export function prune<R = PruneResult>(
  dir: string,
  options: PruneOptions | Mutator<PruneResult, R>,
  mutator?: Mutator<PruneResult, R>,
): Promise<NoInfer<R>> {
  return streamsCall<PruneOptions, PruneResult, R>(options, mutator, async (opts) => {
    const keep = checkKeep(opts.keep);
    if (opts.dryRun !== undefined && typeof opts.dryRun !== 'boolean')
      throw new ValidationError('dryRun', 'must be a boolean');
    const root = await treeRoot(dir);
    return withTreeLock(root, async () => {
      const products = await readProducts(root);
      const next = keepNewest(products, keep);
      const arch = localArchitecture();
      const kept = treeView(next, arch).images.map((t) => t.image.fingerprint);
      const removed = treeView(products, arch)
        .images.map((t) => t.image.fingerprint)
        .filter((f) => !kept.includes(f));
      const named = referencedPaths(next);
      const files = [
        ...(await imageFiles(root)).files.filter((p) => !named.has(p)),
        ...(await deadTemps(root)),
      ];
      if (opts.dryRun !== true) {
        if (removed.length > 0) await writeTree(root, next);
        await removeAll(root, files);
      }
      return { removed, kept, files };
    });
  });
}
