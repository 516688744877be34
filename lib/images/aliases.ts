import { z } from 'zod';
import { apiPath, parseOutput, type Context, type Resolved } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { finish, splitTail, type CallOptions, type Mutator } from '../mutator.js';
import { ImageAliasListSchema, ImageAliasSchema, type ImageAlias } from '../schemas.js';
import { checkAlias, checkObject, checkRef, checkText } from '../validate.js';
import { infoImage, privateOr } from './resolve.js';

/** What `aliases.create` takes. */
export interface NewAlias {
  name: string;
  /** A fingerprint, a unique prefix, or another alias. */
  target: string;
  description?: string;
  /** `container` or `virtual-machine` (LXD picks the image's type when omitted). */
  type?: 'container' | 'virtual-machine';
}

/** What `aliases.replace` and `aliases.update` take. */
export interface AliasWritable {
  target?: string;
  description?: string;
}

const path = (name: string): string => apiPath('1.0', 'images', 'aliases', name);

/** Image aliases: `client.images.aliases`. */
export class ImageAliases {
  /** @internal */
  constructor(private readonly ctx: Context) {}

  // Resolves an alias target (prefix or alias) to a full fingerprint; a full one is sent as it is
  // (the daemon refuses a target that does not exist).
  private async target(call: Resolved, value: unknown): Promise<string> {
    const ref = checkRef(value, 'target');
    if (/^[0-9a-f]{64}$/.test(ref)) return ref;
    return (await infoImage(this.ctx, call, ref)).fingerprint;
  }

  // PUTs an alias's target and description (both: a PUT without target retargets) and reads it back.
  private async put(
    call: Resolved,
    alias: string,
    target: string,
    description: string,
  ): Promise<ImageAlias> {
    const body = { target: await this.target(call, target), description };
    await this.ctx.query(call, path(alias), z.unknown(), { method: 'PUT', body });
    return this.read(call, alias);
  }

  // Reads an alias after a write.
  private read(call: Resolved, name: string): Promise<ImageAlias> {
    return this.ctx.query(call, path(name), ImageAliasSchema);
  }

  /**
   * Lists aliases; works on simplestreams remotes too.
   * @example lxc.images.aliases.list('local').then(aliases => aliases.map(a => a.name))
   */
  async list<R = ImageAlias[]>(
    remote: string | undefined,
    options?: CallOptions | Mutator<ImageAlias[], R>,
    mutator?: Mutator<ImageAlias[], R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const aliases = await privateOr(
      () => this.ctx.query(call, '/1.0/images/aliases?recursion=1', ImageAliasListSchema),
      async () => {
        const args = ['image', 'alias', 'list', `${call.remote}:`, '--format=json'];
        const { stdout } = await this.ctx.runWithProject(args, call);
        return parseOutput(ImageAliasListSchema, stdout, call.remote);
      },
    );
    return finish(aliases, mut);
  }

  /**
   * Reads one alias.
   * @throws {@link NotFoundError} when it does not exist.
   * @example lxc.images.aliases.info('local', 'alpine/3.19').then(alias => alias.target)
   */
  async info<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const alias = checkAlias(name, 'name');
    const found = await privateOr(
      () => this.read(call, alias),
      async () => {
        const entry = (await this.list(call.remote, opts)).find((e) => e.name === alias);
        if (!entry) throw new NotFoundError('Image alias not found', { remote: call.remote });
        return entry;
      },
    );
    return finish(found, mut);
  }

  /**
   * Creates an alias.
   * @throws {@link ConflictError} when the name is taken.
   * @example lxc.images.aliases.create('local', { name: 'web', target: fp })
   */
  async create<R = ImageAlias>(
    remote: string | undefined,
    alias: NewAlias,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const input = checkObject(alias, 'alias');
    const name = checkAlias(input.name, 'alias.name');
    const target = checkRef(input.target, 'alias.target');
    const extra: Record<string, unknown> = {};
    if (input.description !== undefined) {
      extra.description = checkText(input.description, 'alias.description');
    }
    if (input.type !== undefined) {
      if (input.type !== 'container' && input.type !== 'virtual-machine') {
        throw new ValidationError('alias.type', 'must be "container" or "virtual-machine"');
      }
      extra.type = input.type;
    }
    const body = { name, target: await this.target(call, target), ...extra };
    await this.ctx.query(call, '/1.0/images/aliases', z.unknown(), { method: 'POST', body });
    return finish(await this.read(call, name), mut);
  }

  /**
   * Replaces an alias (PUT): `target` is required, `description` is reset when left out.
   * @example lxc.images.aliases.replace('local', 'web', { target: newFp })
   */
  async replace<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    body: Required<Pick<AliasWritable, 'target'>> & AliasWritable,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const alias = checkAlias(name, 'name');
    const input = checkObject(body, 'body');
    const target = checkRef(input.target, 'body.target');
    const description =
      input.description === undefined ? '' : checkText(input.description, 'body.description');
    return finish(await this.put(call, alias, target, description), mut);
  }

  /**
   * Updates an alias: only the given fields change. (Sent as a PUT of the merged fields,
   * because LXD 5.0's alias PATCH hangs until "context deadline exceeded".)
   * @example lxc.images.aliases.update('local', 'web', { description: 'front end' })
   */
  async update<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    patch: AliasWritable,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const alias = checkAlias(name, 'name');
    const input = checkObject(patch, 'patch');
    const description =
      input.description === undefined
        ? undefined
        : checkText(input.description, 'patch.description');
    const target = input.target === undefined ? undefined : checkRef(input.target, 'patch.target');
    const current = await this.read(call, alias);
    const updated = await this.put(
      call,
      alias,
      target ?? current.target,
      description ?? current.description,
    );
    return finish(updated, mut);
  }

  /**
   * Renames an alias.
   * @throws {@link ConflictError} when `newName` is taken.
   * @example lxc.images.aliases.rename('local', 'web', 'www')
   */
  async rename<R = ImageAlias>(
    remote: string | undefined,
    name: string,
    newName: string,
    options?: CallOptions | Mutator<ImageAlias, R>,
    mutator?: Mutator<ImageAlias, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const to = checkAlias(newName, 'newName');
    await this.ctx.query(call, path(checkAlias(name, 'name')), z.unknown(), {
      method: 'POST',
      body: { name: to },
    });
    return finish(await this.read(call, to), mut);
  }

  /**
   * Deletes an alias (not the image).
   * @example lxc.images.aliases.delete('local', 'web')
   */
  async delete<R = undefined>(
    remote: string | undefined,
    name: string,
    options?: CallOptions | Mutator<undefined, R>,
    mutator?: Mutator<undefined, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    await this.ctx.query(call, path(checkAlias(name, 'name')), z.unknown(), { method: 'DELETE' });
    return finish(undefined, mut);
  }
}
