import type { Image } from '../wire/schemas.js';
import { keepRules, type PruneRules } from './retention.js';

/**
 * The rule of `keep` for an image just ensured (pure): the retention rule of `images.prune` for
 * its product, in which the image itself counts as one of the `keep` and is never deleted (so a
 * rollback to an older image keeps it, and the newest `keep - 1` others).
 */
export function keepAround(image: Image, keep: number): PruneRules {
  const rules = keepRules(keep - 1, image);
  const { only } = rules;
  return { ...rules, only: (other) => other.fingerprint !== image.fingerprint && !!only?.(other) };
}
