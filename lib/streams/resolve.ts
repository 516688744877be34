import { NotFoundError, ValidationError } from '../wire/errors.js';
import { isHex } from '../wire/validate.js';
import type { TreeImage, AliasEntry } from './view.js';

/**
 * The image `ref` names in a tree (pure): an alias first (preferring this machine's
 * architecture, as the clients do), then a fingerprint or a unique prefix of one.
 * @throws NotFoundError when nothing matches; ValidationError when several images do.
 */
export function resolveRef(
  view: { images: TreeImage[]; aliases: AliasEntry[] },
  ref: string,
  localArch: string,
): TreeImage {
  const named = view.aliases.filter((a) => a.name === ref);
  const native = named.filter((a) => a.architecture === localArch);
  const targets = [...new Set((native.length > 0 ? native : named).map((a) => a.target))];
  if (targets.length > 1)
    throw new ValidationError(
      'ref',
      `alias ${ref} names ${targets.length} images; use a fingerprint`,
    );
  const lower = ref.toLowerCase();
  const matches =
    targets.length === 1
      ? view.images.filter((t) => t.image.fingerprint === targets[0])
      : isHex(ref)
        ? view.images.filter((t) => t.image.fingerprint.startsWith(lower))
        : [];
  if (matches.length > 1)
    throw new ValidationError('ref', `${ref} is a prefix of ${matches.length} fingerprints`);
  const [match] = matches;
  if (match === undefined) throw new NotFoundError(`no image ${ref} in the tree`);
  return match;
}
