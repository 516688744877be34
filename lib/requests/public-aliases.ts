import { parseJson } from '../parse.js';
import { ImageAliasListSchema, type Image, type ImageAlias } from '../schemas.js';
import type { CliRequest } from './request.js';

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
 * wanted (none: container): the image that shows it (lxc shows a short alias only on the host's
 * architecture, whose entry it always picks first); `'ask'` when an image shows an alias under
 * `ref/` (every alias also has such a form, so one of another architecture may be named `ref`:
 * the alias list decides); `undefined` when no alias has that name.
 */
export function shownAlias(
  images: readonly Image[],
  ref: string,
  type?: Image['type'],
): Image | 'ask' | undefined {
  const wanted = type === 'virtual-machine' ? type : 'container';
  const names = (image: Image): string[] => image.aliases.map((alias) => alias.name);
  const shown = images.find((image) => image.type === wanted && names(image).includes(ref));
  if (shown) return shown;
  const under = `${ref}/`;
  return images.some((image) => names(image).some((name) => name.startsWith(under)))
    ? 'ask'
    : undefined;
}
