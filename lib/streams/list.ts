import { applyFilters } from '../requests/list-filter.js';
import type { Image } from '../wire/schemas.js';
import { checkFilters } from '../wire/checks.js';
import { streamsCall, type Mutator } from './call.js';
import { localArchitecture } from './names.js';
import { treeRoot } from './paths.js';
import { readProducts } from './tree.js';
import { treeView } from './view.js';

/** Options of `list`. */
export interface StreamsListOptions {
  /** `lxc image list` filters: `os=alpine`, a fingerprint prefix, part of an alias. */
  filter?: string | readonly string[] | undefined;
}

/**
 * Lists the images of a simplestreams tree as `lxc image list` shows them once the tree is
 * served: the same `Image` shape as `images.list`, aliases given to each product's newest
 * version, and the same filter syntax. Reads the index files only.
 * @example await list('/srv/images', { filter: 'os=alpine' });
 */
export function list<R = Image[]>(
  dir: string,
  options?: StreamsListOptions | Mutator<Image[], R>,
  mutator?: Mutator<Image[], R>,
): Promise<NoInfer<R>> {
  return streamsCall<StreamsListOptions, Image[], R>(options, mutator, async (opts) => {
    const filters = checkFilters(opts.filter);
    const root = await treeRoot(dir);
    const view = treeView(await readProducts(root), localArchitecture());
    return applyFilters(
      view.images.map((t) => t.image),
      filters,
    );
  });
}
