import { parseJson } from '../wire/parse.js';
import type { CliRequest } from '../wire/request.js';
import { ImageAliasListSchema, type Image, type ImageAlias } from '../wire/schemas.js';
import { pickPrefix } from './pick.js';

// How `lxc` resolves an alias on a simplestreams (public) remote: as rules on its listings.

/** `image alias list <remote>: --format=json`: every alias, as `lxc` resolves names with them. */
export function aliasListCommand(remote: string): CliRequest<ImageAlias[]> {
  return {
    args: ['image', 'alias', 'list', `${remote}:`, '--format=json'],
    parse: (stdout) => parseJson(ImageAliasListSchema, stdout, { remote }),
  };
}

/**
 * The alias `lxc` resolves `name` to on a public remote: the first listed of the container
 * type, else of the VM type (`virtual-machine`: that type only, as `--vm`). The list names an
 * alias of every architecture (an arm64 product's short alias on an amd64 host too), with the
 * target `lxc` picks first for each name and type.
 */
export function listedAlias(
  aliases: readonly ImageAlias[],
  name: string,
  type?: Image['type'],
): ImageAlias | undefined {
  const of = (t: string): ImageAlias | undefined =>
    aliases.find((alias) => alias.name === name && alias.type === t);
  if (type === 'virtual-machine') return of(type);
  return of('container') ?? of('virtual-machine');
}

/**
 * What a listing that holds every image naming `ref` tells about the alias `ref` of the type
 * wanted (none: the container alias, else the VM one; `virtual-machine`: that type only): the
 * image that shows it (lxc shows a short alias only on the host's architecture, whose entry it
 * always picks first); `'ask'` when an image shows an alias under `ref/` (every alias also has
 * such a form, so one of another architecture may be named `ref`: the alias list decides);
 * `undefined` when no alias has that name.
 */
export function shownAlias(
  images: readonly Image[],
  ref: string,
  type?: Image['type'],
): Image | 'ask' | undefined {
  const names = (image: Image): string[] => image.aliases.map((alias) => alias.name);
  const showing = (t: Image['type']): Image | undefined =>
    images.find((image) => image.type === t && names(image).includes(ref));
  const wanted = showing(type === 'virtual-machine' ? type : 'container');
  if (wanted) return wanted;
  const under = `${ref}/`;
  if (images.some((image) => names(image).some((name) => name.startsWith(under)))) return 'ask';
  return type === 'virtual-machine' ? undefined : showing('virtual-machine');
}

/** What to look for on a public remote: a ref, the type wanted, and whether a prefix may be meant. */
export interface PublicQuery {
  ref: string;
  type?: Image['type'] | undefined;
  prefix: boolean;
}

/** A public remote's listing of every image that may be named so, and its alias list on demand. */
export interface PublicListing {
  images: readonly Image[];
  aliases: () => Promise<readonly ImageAlias[]> | readonly ImageAlias[];
}

/**
 * Resolves `ref` in a public remote's listings as `lxc image info` does: the image that shows
 * the alias (one of the host's architecture); else, when an alias of another architecture may be
 * named so, the target the alias list gives (its fingerprint when the listing does not hold it);
 * else (with `prefix`) the one image whose fingerprint starts with `ref`. `aliases` is read only
 * when needed.
 */
export async function resolveListed(
  { images, aliases }: PublicListing,
  { ref, type, prefix }: PublicQuery,
): Promise<Image | string | undefined> {
  const shown = shownAlias(images, ref, type);
  if (shown !== 'ask' && shown) return shown;
  const entry = shown === 'ask' ? listedAlias(await aliases(), ref, type) : undefined;
  if (entry) return images.find((image) => image.fingerprint === entry.target) ?? entry.target;
  return prefix ? pickPrefix(images, ref) : undefined;
}
