import type { Image } from '../wire/schemas.js';
import type { Converging } from './converge.js';

/** An image just ensured on a remote, and how many of its product to keep there. */
export interface Keeping extends Converging {
  image: Image;
  keep: number;
}

/** TODO(keep): the shared retention rule. */
export async function keepNewest(k: Keeping): Promise<void> {
  await Promise.resolve(k);
}
