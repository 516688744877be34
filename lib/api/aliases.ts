import type { CallOptions, Core, Mutator } from '../call/core.js';
import {
  aliasInfo,
  createAlias,
  deleteAlias,
  listAliases,
  renameAlias,
  writeAlias,
  type AliasWritable,
  type NewAlias,
} from '../requests/aliases.js';
import type { ImageAlias } from '../schemas.js';

/** What {@link ImageAliases.replace} takes: `target` is required. */
export type AliasReplacement = Required<Pick<AliasWritable, 'target'>> & AliasWritable;

/** Image aliases: `client.images.aliases`. Alias names may contain `/` (they are encoded in URLs). */
export class ImageAliases {
  /** @internal */
  constructor(private readonly core: Core) {}

  /**
   * Lists aliases; works on simplestreams remotes too.
   * @example lxc.images.aliases.list('local').then(aliases => aliases.map(a => a.name))
   */
  list<R = ImageAlias[]>(
    remote: string | undefined,
    options?: CallOptions | Mutator<ImageAlias[], R>,
    mutator?: Mutator<ImageAlias[], R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => listAliases(c));
  }

  /**
   * Reads one alias.
   * @throws {@link NotFoundError} when it does not exist.
   * @example lxc.images.aliases.info('local', 'alpine/3.19').then(alias => alias.target)
   */
  info<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => aliasInfo(c, name));
  }

  /**
   * Creates an alias; `target` may be a fingerprint, a unique prefix or another alias.
   * @throws {@link ConflictError} when the name is taken.
   * @example lxc.images.aliases.create('local', { name: 'web', target: fp })
   */
  create<R = ImageAlias>(
    remote: string | undefined,
    alias: NewAlias,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => createAlias(c, alias));
  }

  /**
   * Replaces an alias (PUT): `target` is required, `description` is reset when left out.
   * @example lxc.images.aliases.replace('local', 'web', { target: newFp })
   */
  replace<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    body: AliasReplacement,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      writeAlias(c, name, body, 'body', false),
    );
  }

  /**
   * Updates an alias: only the given fields change, and a concurrent change is never lost.
   * (Sent as a PUT of the merged fields, because LXD 5.0's alias PATCH hangs.)
   * @example lxc.images.aliases.update('local', 'web', { description: 'front end' })
   */
  update<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    patch: AliasWritable,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      writeAlias(c, name, patch, 'patch', true),
    );
  }

  /**
   * Renames an alias.
   * @throws {@link ConflictError} when `newName` is taken.
   * @example lxc.images.aliases.rename('local', 'web', 'www')
   */
  rename<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    newName: string,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => renameAlias(c, name, newName));
  }

  /**
   * Deletes an alias (not the image).
   * @example lxc.images.aliases.delete('local', 'web')
   */
  delete<R = undefined>(
    remote: string | undefined,
    name: string,
    options?: CallOptions | Mutator<undefined, R>,
    mutator?: Mutator<undefined, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => deleteAlias(c, name));
  }
}
