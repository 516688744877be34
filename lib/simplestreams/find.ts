import { LxcError, NotFoundError } from '../errors.js';
import { isHex } from '../validate.js';
import type { AliasEntry, Catalog } from './catalog.js';
import type { StreamImage } from './convert.js';

/** What to look for: a ref (alias, fingerprint or prefix) and, as `--vm` says, a type. */
export interface ImageQuery {
  /** An alias, a full fingerprint or a prefix of one. */
  ref: string;
  /**
   * `virtual-machine`: VM aliases only, as `lxc image info --vm` and `image copy --vm`;
   * `container` or none: as without `--vm`, the container alias, else the VM one (the same rule
   * the CLI transport follows for `Image['type']`).
   */
  type?: 'container' | 'virtual-machine' | undefined;
}

// The alias `ref` names, as `lxc` resolves it for the query's type.
function aliasOf(catalog: Catalog, query: ImageQuery): AliasEntry | undefined {
  return catalog.alias(query.ref, query.type === 'virtual-machine' ? query.type : undefined);
}

// `GetImage(fingerprint)`: exactly one image whose fingerprint starts with it. Hex digits in
// either case, as the library takes a prefix on every remote (lxc itself wants lower case).
function byFingerprint(catalog: Catalog, prefix: string, remote: string): StreamImage {
  const matches = isHex(prefix) ? catalog.byPrefix(prefix.toLowerCase()) : [];
  if (matches.length > 1) {
    throw new LxcError(`More than one image matches the fingerprint prefix "${prefix}"`, {
      remote,
    });
  }
  const [only] = matches;
  if (!only) throw new NotFoundError('Image not found', { remote });
  return only;
}

/**
 * The image `lxc image info <remote>:<ref>` shows: the alias's target when `ref` is an alias of
 * the wanted type (a foreign architecture's short alias included), else the one image whose
 * fingerprint starts with `ref`.
 */
export function findImage(catalog: Catalog, query: ImageQuery, remote: string): StreamImage {
  const alias = aliasOf(catalog, query);
  return byFingerprint(catalog, alias ? alias.target : query.ref, remote);
}

/** The alias `name` as `lxc` resolves it, or a `NotFoundError` ('Image alias not found'). */
export function findAlias(catalog: Catalog, query: ImageQuery, remote: string): AliasEntry {
  const alias = aliasOf(catalog, query);
  if (!alias) throw new NotFoundError('Image alias not found', { remote });
  return alias;
}

/** The image alias `name` points at (never a fingerprint): `NotFoundError` without the alias. */
export function findByAlias(catalog: Catalog, query: ImageQuery, remote: string): StreamImage {
  const alias = aliasOf(catalog, query);
  if (!alias) throw new NotFoundError('Image not found', { remote });
  return byFingerprint(catalog, alias.target, remote);
}
