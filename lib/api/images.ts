import type { CallOptions, Core, Mutator } from '../call/core.js';
import { ValidationError } from '../errors.js';
import { monotonic } from '../progress.js';
import { copyImage, type CopyFlags } from '../requests/copy.js';
import { exportImage, type ExportFlags, type ExportResult } from '../requests/export.js';
import {
  importFromUrl,
  importImage,
  type ImportFlags,
  type ImportSource,
} from '../requests/import.js';
import { listFingerprints, listImages, type ListFilterOptions } from '../requests/list.js';
import { publishImage, type PublishFlags } from '../requests/publish.js';
import { exportWithSecret, infoWithSecret, type SecretOption } from '../requests/secret-read.js';
import type { UntrustedReader } from '../transport/rest/untrusted.js';
import { refreshImage, type RefreshFlags, type RefreshResult } from '../requests/refresh.js';
import { createSecret, type ImageSecret } from '../requests/secret.js';
import {
  deleteImage,
  replaceChange,
  setPropertyChange,
  unsetPropertyChange,
  updateChange,
  writableBody,
  writeImage,
  type ImageWritable,
} from '../requests/write.js';
import type { Image, Operation } from '../schemas.js';
import { checkAlias, checkPropertyKey, checkRef } from '../validate.js';
import { ImageAliases } from './aliases.js';
import { infoMany, type InfoBatcher } from '../requests/batch.js';
import { found, getByAlias } from '../requests/lookup.js';

/** Options of {@link Images.list}. */
export interface ListOptions extends CallOptions, ListFilterOptions {}
/** Options of {@link Images.import} and {@link Images.importFromUrl}. */
export interface ImportOptions extends CallOptions, ImportFlags {}
/** Options of {@link Images.copy}. */
export interface CopyOptions extends CallOptions, CopyFlags {}
/** Options of {@link Images.export}. */
export interface ExportOptions extends CallOptions, ExportFlags, SecretOption {}
/** Options of {@link Images.info}. */
export interface InfoOptions extends CallOptions, SecretOption {}
/** Options of {@link Images.publish}. */
export interface PublishOptions extends CallOptions, PublishFlags {}
/** Options of {@link Images.refresh}. */
export interface RefreshOptions extends CallOptions, RefreshFlags {}
/** Options of {@link Images.delete}. */
export interface DeleteOptions extends CallOptions {
  /** Wait for the deletion to finish (default `true`); `false` resolves to the running operation. */
  wait?: boolean | undefined;
}
/** Options of {@link Images.delete} that ask for the running operation. */
export interface DeleteNoWaitOptions extends DeleteOptions {
  wait: false;
}

// The same options with the progress handler made monotonic (percentages never go backwards).
function steady<O extends { onProgress?: unknown }>(options: O): O {
  const given = options.onProgress;
  if (given !== undefined && typeof given !== 'function')
    throw new ValidationError('onProgress', 'must be a function');
  const onProgress = monotonic(given as Parameters<typeof monotonic>[0]);
  return onProgress === undefined ? options : { ...options, onProgress };
}

/**
 * Images: `client.images`, with `client.images.aliases`. Every method takes the remote first,
 * then its arguments, then options, then an optional mutator (which may stand in the options
 * slot), and returns a promise.
 */
export class Images {
  /** Image aliases. */
  readonly aliases: ImageAliases;

  /** @internal */
  constructor(
    private readonly core: Core,
    private readonly batcher: InfoBatcher,
    private readonly untrusted: UntrustedReader,
  ) {
    this.aliases = new ImageAliases(core);
  }

  /**
   * Lists images. `filter` uses `lxc image list` syntax; works on simplestreams remotes too.
   * @example lxc.images.list('images', { filter: 'os=alpine' }).then(images => images.length)
   */
  list<R = Image[]>(
    remote: string | undefined,
    options?: ListOptions | Mutator<Image[], R>,
    mutator?: Mutator<Image[], R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) => listImages(c, o));
  }

  /**
   * Lists the fingerprints of all images.
   * @example lxc.images.fingerprints('local').then(fps => fps.length)
   */
  fingerprints<R = string[]>(
    remote: string | undefined,
    options?: CallOptions | Mutator<string[], R>,
    mutator?: Mutator<string[], R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => listFingerprints(c));
  }

  /**
   * Reads one image by full fingerprint, unique prefix or alias. Concurrent calls on a remote
   * are coalesced where that is cheaper. With `secret` (from `createSecret` on a trusted client),
   * reads a private image of a server that does not trust this client, by fingerprint or prefix,
   * over HTTPS without a client certificate (on either transport).
   * @throws {@link NotFoundError} when nothing matches, or the secret is wrong or used up;
   * {@link LxcError} when a prefix is ambiguous.
   * @example lxc.images.info('local', fp, image => image.size)
   */
  info<R = Image>(
    remote: string | undefined,
    ref: string,
    options?: InfoOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) =>
      o.secret === undefined
        ? this.batcher.info(c, checkRef(ref))
        : infoWithSecret(c, { reader: this.untrusted, fp: ref, secret: o.secret }),
    );
  }

  /**
   * Reads many images at once, in the order of `refs`, as cheaply as the remote allows.
   * @throws {@link NotFoundError} for the first ref that matches nothing.
   * @example lxc.images.infoMany('local', [fp1, 'alpine']).then(images => images.map(i => i.size))
   */
  infoMany<R = Image[]>(
    remote: string | undefined,
    refs: readonly string[],
    options?: CallOptions | Mutator<Image[], R>,
    mutator?: Mutator<Image[], R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => infoMany(c, refs));
  }

  /**
   * Reads the image an alias points at.
   * @throws {@link NotFoundError} when the alias does not exist.
   * @example lxc.images.getByAlias('local', 'alpine/3.19').then(image => image.fingerprint)
   */
  getByAlias<R = Image>(
    remote: string | undefined,
    alias: string,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => getByAlias(c, checkAlias(alias)));
  }

  /**
   * Tells whether `ref` (fingerprint, prefix or alias) names an image. Never throws for "not found".
   * @example lxc.images.exists('local', 'alpine').then(found => found)
   */
  exists<R = boolean>(
    remote: string | undefined,
    ref: string,
    options?: CallOptions | Mutator<boolean, R>,
    mutator?: Mutator<boolean, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      found(this.batcher.info(c, checkRef(ref))),
    );
  }

  /**
   * Replaces the writable fields (PUT). `properties` is replaced whole; fields left out keep
   * their values. Never overwrites a concurrent writer's change.
   * @example lxc.images.replace('local', fp, { properties: { os: 'alpine' } }).then(image => image.properties)
   */
  replace<R = Image>(
    remote: string | undefined,
    fp: string,
    body: ImageWritable,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      writeImage(c, checkRef(fp, 'fp'), replaceChange(writableBody(body, 'body'))),
    );
  }

  /**
   * Updates some fields (PATCH); `properties` keys are merged in.
   * @example lxc.images.update('local', fp, { public: true }).then(image => image.public)
   */
  update<R = Image>(
    remote: string | undefined,
    fp: string,
    patch: ImageWritable,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      writeImage(c, checkRef(fp, 'fp'), updateChange(writableBody(patch, 'patch'))),
    );
  }

  /**
   * Deletes an image. Waits by default; `{wait: false}` resolves to the running `Operation`.
   * @throws {@link NotFoundError} when there is no such image.
   * @example lxc.images.delete('local', fp)
   */
  delete<R = Operation>(
    remote: string | undefined,
    ref: string,
    options: DeleteNoWaitOptions,
    mutator?: Mutator<Operation, R>,
  ): Promise<NoInfer<R>>;
  delete<R = undefined>(
    remote: string | undefined,
    ref: string,
    options?: DeleteOptions | Mutator<undefined, R>,
    mutator?: Mutator<undefined, R>,
  ): Promise<NoInfer<R>>;
  delete<R>(
    remote: string | undefined,
    ref: string,
    options?: DeleteOptions | Mutator<never, R>,
    mutator?: Mutator<never, R>,
  ): Promise<NoInfer<R>> {
    type Either = Mutator<Operation | undefined, R>; // the overloads tie the mutator to `wait`
    return this.core.call(
      remote,
      options as DeleteOptions | Either | undefined,
      mutator as Either | undefined,
      (c, o) => deleteImage(c, checkRef(ref), o.wait !== false),
    );
  }

  /**
   * Reads one property; `undefined` when it is not set.
   * @example lxc.images.getProperty('local', 'alpine', 'os').then(os => os)
   */
  getProperty<R = string | undefined>(
    remote: string | undefined,
    ref: string,
    key: string,
    options?: CallOptions | Mutator<string | undefined, R>,
    mutator?: Mutator<string | undefined, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, async (c) => {
      const name = checkPropertyKey(key);
      const image = await this.batcher.info(c, checkRef(ref));
      return Object.hasOwn(image.properties, name) ? image.properties[name] : undefined;
    });
  }

  /**
   * Sets one property (PATCH) and resolves to the image.
   * @example lxc.images.setProperty('local', 'alpine', 'owner', 'ops')
   */
  setProperty<R = Image>(
    remote: string | undefined,
    ref: string,
    key: string,
    value: string,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      writeImage(c, checkRef(ref), setPropertyChange(key, value)),
    );
  }

  /**
   * Removes one property (the `lxc` CLI only blanks it) and resolves to the image.
   * @example lxc.images.unsetProperty('local', 'alpine', 'owner')
   */
  unsetProperty<R = Image>(
    remote: string | undefined,
    ref: string,
    key: string,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) =>
      writeImage(c, checkRef(ref), unsetPropertyChange(key)),
    );
  }

  /**
   * Imports an image from a unified tarball path, `{metadata, rootfs}` paths, bytes, or a stream
   * (never held whole in memory).
   * @throws {@link ConflictError} when the image is already there.
   * @example lxc.images.import('local', 'alpine.tar.gz', { aliases: ['alpine'] }).then(image => image.fingerprint)
   */
  import<R = Image>(
    remote: string | undefined,
    source: ImportSource,
    options?: ImportOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) => importImage(c, source, steady(o)));
  }

  /**
   * Imports from an https URL that answers `LXD-Image-URL`/`LXD-Image-Hash` (LXD's `url` source).
   * @example lxc.images.importFromUrl('local', 'https://example.com/image', { aliases: ['web'] })
   */
  importFromUrl<R = Image>(
    remote: string | undefined,
    url: string,
    options?: ImportOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) => importFromUrl(c, url, steady(o)));
  }

  /**
   * Copies an image from any remote (LXD or simplestreams) to an LXD remote; resolves to the copy.
   * @example lxc.images.copy('images', 'alpine/3.19', 'local', { aliases: ['alpine'] })
   */
  copy<R = Image>(
    remote: string | undefined,
    ref: string,
    targetRemote: string,
    options?: CopyOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) =>
      copyImage(c, ref, targetRemote, steady(o)),
    );
  }

  /**
   * Exports an image to a file or a directory, atomically (nothing is left behind on failure).
   * With `secret`, exports a private image of a server that does not trust this client (as
   * {@link Images.info} reads one).
   * @throws {@link NotFoundError} when there is no such image, or the secret is wrong or used up.
   * @example lxc.images.export('local', 'alpine', '/tmp/alpine.tar.gz').then(r => r.files)
   */
  export<R = ExportResult>(
    remote: string | undefined,
    ref: string,
    destination: string,
    options?: ExportOptions | Mutator<ExportResult, R>,
    mutator?: Mutator<ExportResult, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) =>
      o.secret === undefined
        ? exportImage(c, ref, destination, steady(o))
        : exportWithSecret(c, { reader: this.untrusted, fp: ref, destination, flags: steady(o) }),
    );
  }

  /**
   * Publishes an instance (`'c1'`) or a snapshot (`'c1/snap0'`) as an image, points `aliases` at
   * it once it has landed (a taken alias moves, atomically), and resolves to it. `properties`
   * are merged over those of the instance's image. A publish cannot be cancelled: an aborted or
   * timed-out call waits (within its cleanup time) for it to end and deletes its image.
   * @throws {@link InstanceRunningError} when the instance runs and `force` is not set.
   * @throws {@link ConflictError} when the same image is already stored (the message names it).
   * @throws {@link NotFoundError} when there is no such instance or snapshot.
   * @example lxc.images.publish('local', 'c1', { aliases: ['web/v2'], force: true }).then(image => image.fingerprint)
   */
  publish<R = Image>(
    remote: string | undefined,
    source: string,
    options?: PublishOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) => publishImage(c, source, steady(o)));
  }

  /**
   * Refreshes an auto-updating image from its source.
   * @example lxc.images.refresh('local', 'alpine').then(r => r.refreshed)
   */
  refresh<R = RefreshResult>(
    remote: string | undefined,
    ref: string,
    options?: RefreshOptions | Mutator<RefreshResult, R>,
    mutator?: Mutator<RefreshResult, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c, o) => refreshImage(c, ref, steady(o)));
  }

  /**
   * Creates a single-use secret that lets an untrusted client fetch this private image.
   * @example lxc.images.createSecret('local', fp).then(s => s.secret)
   */
  createSecret<R = ImageSecret>(
    remote: string | undefined,
    ref: string,
    options?: CallOptions | Mutator<ImageSecret, R>,
    mutator?: Mutator<ImageSecret, R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(remote, options, mutator, (c) => createSecret(c, ref));
  }
}
