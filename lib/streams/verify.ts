import { ParseError } from '../wire/errors.js';
import { streamsCall, type Mutator } from './call.js';
import { PRODUCTS_PATH, type Index, type Products } from './format.js';
import { imageFiles, referencedPaths } from './files.js';
import { withTreeLock } from './lock.js';
import { treeRoot } from './paths.js';
import { readIndex, readProducts } from './tree.js';
import { FileFacts } from './file-facts.js';
import { productProblems, type Problem } from './verify-checks.js';

export type { Problem, ProblemKind } from './verify-checks.js';

/** What `verify` resolves to. */
export interface VerifyResult {
  /** True when no problem was found. */
  ok: boolean;
  problems: Problem[];
}

// Reads one index file; a bad one is a problem instead of a failure.
async function attempt<T>(
  path: string,
  read: () => Promise<T>,
  problems: Problem[],
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    problems.push({ path, kind: 'index', detail: error.message });
    return undefined;
  }
}

// The index points at the products file and names exactly its products.
function indexProblems(index: Index | undefined, products: Products): Problem[] {
  const keys = Object.keys(products.products);
  if (index === undefined)
    return keys.length === 0
      ? []
      : [{ path: 'streams/v1/index.json', kind: 'index', detail: 'missing' }];
  const entries = Object.values(index.index).filter((e) => e.datatype === 'image-downloads');
  const entry = entries.find((e) => e.path === PRODUCTS_PATH);
  if (entry === undefined)
    return [
      {
        path: 'streams/v1/index.json',
        kind: 'index',
        detail: `no image-downloads entry for ${PRODUCTS_PATH}`,
      },
    ];
  const named = new Set(entry.products);
  return [
    ...entry.products
      .filter((k) => products.products[k] === undefined)
      .map((k): Problem => ({
        path: 'streams/v1/index.json',
        kind: 'index',
        detail: `names product ${k}, which ${PRODUCTS_PATH} does not hold`,
      })),
    ...keys
      .filter((k) => !named.has(k))
      .map((k): Problem => ({
        path: 'streams/v1/index.json',
        kind: 'index',
        detail: `does not name product ${k}`,
      })),
  ];
}

/**
 * Checks a tree, reading every file it names: the index and the products file agree, version
 * keys start with a date, LXD's and Incus's entries are in step, each file has the size and
 * sha256 the index says, combined hashes match, and no file under `images/` is left unnamed.
 * Temporary files of an `add` (running or killed) are not problems; `prune` removes the dead ones.
 * @example const { ok, problems } = await verify('/srv/images');
 */
export function verify<R = VerifyResult>(
  dir: string,
  options?: Record<string, never> | Mutator<VerifyResult, R>,
  mutator?: Mutator<VerifyResult, R>,
): Promise<NoInfer<R>> {
  return streamsCall<Record<string, never>, VerifyResult, R>(options, mutator, async () => {
    const root = await treeRoot(dir);
    return withTreeLock(root, async () => {
      const problems: Problem[] = [];
      const index = await attempt('streams/v1/index.json', () => readIndex(root), problems);
      const products = await attempt(PRODUCTS_PATH, () => readProducts(root), problems);
      if (products === undefined) return { ok: false, problems };
      if (problems.length === 0) problems.push(...indexProblems(index, products));
      const facts = new FileFacts(root);
      for (const [key, product] of Object.entries(products.products))
        problems.push(...(await productProblems(`${PRODUCTS_PATH}#${key}`, product, facts)));
      const named = referencedPaths(products);
      for (const path of (await imageFiles(root)).files)
        if (!named.has(path))
          problems.push({ path, kind: 'orphan', detail: 'no version names it' });
      return { ok: problems.length === 0, problems };
    });
  });
}
