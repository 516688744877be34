import { LxcError, NotFoundError } from '../wire/errors.js';
import type { Image } from '../wire/schemas.js';
import { isHex } from '../wire/validate.js';

/** Picks `ref` (alias, fingerprint or unique prefix) out of a list of images, as LXD would. */
export function pickImage(
  images: readonly Image[],
  ref: string,
  remote?: string,
  type: Image['type'] = 'container',
): Image {
  const byAlias = images.filter((image) => image.aliases.some((alias) => alias.name === ref));
  const chosen = byAlias.find((image) => image.type === type) ?? byAlias[0];
  return chosen ?? pickPrefix(images, ref, remote);
}

/** Picks the one image whose fingerprint starts with `ref` (hex digits in either case). */
export function pickPrefix(images: readonly Image[], ref: string, remote?: string): Image {
  const lower = ref.toLowerCase();
  const byPrefix = isHex(ref) ? images.filter((image) => image.fingerprint.startsWith(lower)) : [];
  if (byPrefix.length > 1) {
    throw new LxcError(`More than one image matches the fingerprint prefix "${ref}"`, { remote });
  }
  const [only] = byPrefix;
  if (!only) throw new NotFoundError('Image not found', { remote });
  return only;
}
