import { apiPath, type Context } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { InfoBatcher, listAll } from './batch.js';
import { finish, splitTail, type CallOptions, type Mutator } from '../mutator.js';
import { ImageAliasSchema, type Image } from '../schemas.js';
import { checkAlias, checkRef } from '../validate.js';
import { listImages, type ListFilterOptions } from './list.js';
import {
  getImage,
  listForRef,
  listViaCli,
  pickImage,
  privateOr,
  UrlListSchema,
} from './resolve.js';

/** Options of `images.list`. */
export interface ListOptions extends CallOptions, ListFilterOptions {}

/** Reads images: `list`, `fingerprints`, `info`, `getByAlias`, `exists`. */
export class ImageReader {
  private readonly batcher: InfoBatcher;

  /** @internal */
  constructor(
    /** @internal */
    protected readonly ctx: Context,
  ) {
    this.batcher = new InfoBatcher(ctx);
  }

  /**
   * Lists images. `filter` uses `lxc image list` syntax; works on simplestreams remotes too.
   * @example lxc.images.list('images', { filter: 'os=alpine' }).then(images => images.length)
   */
  async list<R = Image[]>(
    remote: string | undefined,
    options?: ListOptions | Mutator<Image[], R>,
    mutator?: Mutator<Image[], R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    return finish(await listImages(this.ctx, this.ctx.resolve(remote, opts), opts ?? {}), mut);
  }

  /**
   * Lists the fingerprints of all images.
   * @example lxc.images.fingerprints('local').then(fps => fps.length)
   */
  async fingerprints<R = string[]>(
    remote: string | undefined,
    options?: CallOptions | Mutator<string[], R>,
    mutator?: Mutator<string[], R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const fingerprints = await privateOr(
      () => this.ctx.query(call, '/1.0/images', UrlListSchema),
      async () => (await listViaCli(this.ctx, call)).map((image) => image.fingerprint),
    );
    return finish(fingerprints, mut);
  }

  /**
   * Reads one image by full fingerprint, unique prefix or alias.
   * @throws {@link NotFoundError} when nothing matches; {@link LxcError} when a prefix is ambiguous.
   * @example lxc.images.info('local', fp, image => image.size)
   */
  async info<R = Image>(
    remote: string | undefined,
    ref: string,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await this.batcher.info(call, checkRef(ref)), mut);
  }

  /**
   * Reads many images at once with one process (a listing of all images), in the order of `refs`.
   * Concurrent `info` calls are coalesced the same way.
   * @throws {@link NotFoundError} for the first ref that matches nothing.
   * @example lxc.images.infoMany('local', [fp1, 'alpine']).then(images => images.map(i => i.size))
   */
  async infoMany<R = Image[]>(
    remote: string | undefined,
    refs: readonly string[],
    options?: CallOptions | Mutator<Image[], R>,
    mutator?: Mutator<Image[], R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    if (!Array.isArray(refs)) throw new ValidationError('refs', 'must be an array');
    const checked = refs.map((ref, i) => checkRef(ref, `refs[${i}]`));
    if (checked.length === 0) return finish([], mut);
    const images = await listAll(this.ctx, call);
    return finish(
      checked.map((ref) => pickImage(images, ref, call.remote)),
      mut,
    );
  }

  /**
   * Reads the image an alias points at.
   * @throws {@link NotFoundError} when the alias does not exist.
   * @example lxc.images.getByAlias('local', 'alpine/3.19').then(image => image.fingerprint)
   */
  async getByAlias<R = Image>(
    remote: string | undefined,
    alias: string,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const name = checkAlias(alias);
    const image = await privateOr(
      async () => {
        const path = apiPath('1.0', 'images', 'aliases', name);
        const entry = await this.ctx.query(call, path, ImageAliasSchema);
        return getImage(this.ctx, call, entry.target);
      },
      async () => {
        const images = await listForRef(this.ctx, call, name);
        const aliased = images.filter((i) => i.aliases.some((a) => a.name === name));
        return pickImage(aliased, name, call.remote);
      },
    );
    return finish(image, mut);
  }

  /**
   * Tells whether `ref` (fingerprint, prefix or alias) names an image. Never throws for "not found".
   * @example lxc.images.exists('local', 'alpine').then(found => found)
   */
  async exists(remote: string | undefined, ref: string, options?: CallOptions): Promise<boolean> {
    try {
      await this.info(remote, ref, options);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
}
