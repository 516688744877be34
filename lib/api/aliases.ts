import type { CallOptions, Core } from '../call/core.js';
import type { ImageAlias } from '../wire/schemas.js';
import * as aliases from '../flows/aliases.js';
import type { AliasWritable, NewAlias } from '../flows/aliases.js';
import { setAlias, type AliasSetFlags } from '../flows/set-alias.js';
import { defineCalls, type ApiCalls } from './define.js';

/** Options of `aliases.set`. */
export interface AliasSetOptions extends CallOptions, AliasSetFlags {}

/** What {@link AliasCalls.replace} takes: `target` is required. */
export type AliasReplacement = Required<Pick<AliasWritable, 'target'>> & AliasWritable;

/**
 * The calls of `client.images.aliases`, said as `(args…, options): result` (each takes the
 * remote first and an optional mutator last, as every call). Alias names may contain `/`
 * (they are encoded in URLs).
 */
export interface AliasCalls {
  /**
   * Lists aliases; works on simplestreams remotes too.
   * @example lxc.images.aliases.list('local').then(aliases => aliases.map(a => a.name))
   */
  list(options: CallOptions): ImageAlias[];
  /**
   * Reads one alias.
   * @throws {@link NotFoundError} when it does not exist.
   * @example lxc.images.aliases.info('local', 'alpine/3.19').then(alias => alias.target)
   */
  info(name: string, options: CallOptions): ImageAlias;
  /**
   * Creates an alias; `target` may be a fingerprint, a unique prefix or another alias.
   * @throws {@link ConflictError} when the name is taken.
   * @example lxc.images.aliases.create('local', { name: 'web', target: fp })
   */
  create(alias: NewAlias, options: CallOptions): ImageAlias;
  /**
   * Creates the alias, or points it at `target` (a fingerprint, a unique prefix or another
   * alias) with one guarded write: never a delete and a create, so that the alias never
   * disappears in between, and nothing is written when it already points there. A moved alias
   * keeps its description unless `description` is given.
   * @throws {@link NotFoundError} when `target` names no image.
   * @example lxc.images.aliases.set('local', 'web', newFp).then(alias => alias.target)
   */
  set(name: string, target: string, options: AliasSetOptions): ImageAlias;
  /**
   * Replaces an alias (PUT): `target` is required, `description` is reset when left out.
   * @example lxc.images.aliases.replace('local', 'web', { target: newFp })
   */
  replace(name: string, body: AliasReplacement, options: CallOptions): ImageAlias;
  /**
   * Updates an alias: only the given fields change, and a concurrent change is never lost.
   * (Sent as a PUT of the merged fields, because LXD 5.0's alias PATCH hangs.)
   * @example lxc.images.aliases.update('local', 'web', { description: 'front end' })
   */
  update(name: string, patch: AliasWritable, options: CallOptions): ImageAlias;
  /**
   * Renames an alias.
   * @throws {@link ConflictError} when `newName` is taken.
   * @example lxc.images.aliases.rename('local', 'web', 'www')
   */
  rename(name: string, newName: string, options: CallOptions): ImageAlias;
  /**
   * Deletes an alias (not the image).
   * @example lxc.images.aliases.delete('local', 'web')
   */
  delete(name: string, options: CallOptions): undefined;
}

/** Image aliases: `client.images.aliases` (see {@link AliasCalls}). */
export type ImageAliases = ApiCalls<AliasCalls>;

/** Makes `client.images.aliases`. */
export function createAliases(core: Core): ImageAliases {
  return defineCalls<AliasCalls>(core, {
    list: (c) => aliases.listAliases(c),
    info: (c, _o, name) => aliases.aliasInfo(c, name),
    create: (c, _o, alias) => aliases.createAlias(c, alias),
    set: (c, o, name, target) => setAlias(c, { ...o, name, target }),
    replace: (c, _o, name, body) => aliases.writeAlias(c, name, body, false),
    update: (c, _o, name, patch) => aliases.writeAlias(c, name, patch, true),
    rename: (c, _o, name, newName) => aliases.renameAlias(c, name, newName),
    delete: (c, _o, name) => aliases.deleteAlias(c, name),
  });
}
