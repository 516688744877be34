import type { Image } from '../wire/schemas.js';
import { keepAround } from '../requests/keep.js';
import type { Converging } from './converge.js';
import { pruneImages } from './prune.js';

/** An image just ensured on a remote, and how many of its product to keep there. */
export interface Keeping extends Converging {
  image: Image;
  keep: number;
}

/**
 * `keep` of `ensure` and `sync`, once the aliases have moved: deletes the older images of the
 * image's product beyond the newest `keep` (it counts as one), never one that an alias or an
 * instance uses (the shared retention rule, `images.prune`'s). Each deletion is an action; a
 * dry run deletes nothing.
 */
export async function keepNewest(k: Keeping): Promise<void> {
  const plan = await pruneImages(k.call, keepAround(k.image, k.keep), { dryRun: k.dryRun });
  for (const image of plan.deleted)
    k.actions.push({ action: 'delete', fingerprint: image.fingerprint });
}
