import type { CallOptions, Core, Mutator } from '../call/core.js';
import type { Image, Operation } from '../wire/schemas.js';
import type { CopyFlags, ImportFlags, ImportSource } from '../wire/checks-transfer.js';
import { copyImage } from '../flows/copy.js';
import { exportImage, type ExportFlags, type ExportResult } from '../flows/export.js';
import { importFromUrl, importImage } from '../flows/import.js';
import { InfoBatcher, infoMany } from '../flows/info.js';
import { listFingerprints, listImages, type ListFilterOptions } from '../flows/list.js';
import { getByAlias, getProperty } from '../flows/lookup.js';
import { publishImage, type PublishFlags } from '../flows/publish.js';
import { refreshImage, type RefreshFlags, type RefreshResult } from '../flows/refresh.js';
import { exportWithSecret, infoWithSecret, type SecretOption } from '../flows/secret-read.js';
import { createSecret, type ImageSecret } from '../flows/secret.js';
import { prune, type PruneFlags } from '../flows/prune.js';
import { imagesUsage, type UsageFlags } from '../flows/usage.js';
import type { ImageUsage } from '../requests/usage.js';
import type { PrunePolicy } from '../wire/checks-prune.js';
import type { PruneResult } from '../wire/prune-error.js';
import * as write from '../flows/write.js';
import { createAliases, type ImageAliases } from './aliases.js';
import { createRollout, type Rollout } from './rollout.js';
import { defineCalls, type ApiCalls } from './define.js';

/** Options of `images.list`. */
export interface ListOptions extends CallOptions, ListFilterOptions {}
/** Options of `images.import` and `images.importFromUrl`. */
export interface ImportOptions extends CallOptions, ImportFlags {}
/** Options of `images.copy`. */
export interface CopyOptions extends CallOptions, CopyFlags {}
/** Options of `images.export`. */
export interface ExportOptions extends CallOptions, ExportFlags, SecretOption {}
/** Options of `images.info`. */
export interface InfoOptions extends CallOptions, SecretOption {}
/** Options of `images.publish`. */
export interface PublishOptions extends CallOptions, PublishFlags {}
/** Options of `images.refresh`. */
export interface RefreshOptions extends CallOptions, RefreshFlags {}
/** Options of `images.usage`. */
export interface UsageOptions extends CallOptions, UsageFlags {}
/** Options of `images.prune`. */
export interface PruneOptions extends CallOptions, PruneFlags {}
/** Options of `images.delete`. */
export interface DeleteOptions extends CallOptions {
  /** Wait for the deletion to finish (default `true`); `false` resolves to the running operation. */
  wait?: boolean | undefined;
}
/** Options of `images.delete` that ask for the running operation. */
export interface DeleteNoWaitOptions extends DeleteOptions {
  wait: false;
}

/**
 * The calls of `client.images`, each said as `(args…, options): result`. Every call takes the
 * remote first, then these arguments, then the options, then an optional mutator (which may
 * stand in the options slot), and returns a promise: `info(ref, options): Image` is
 * `lxc.images.info('local', ref, options?, mutator?)`.
 */
export interface ImageCalls {
  /**
   * Lists images. `filter` uses `lxc image list` syntax; works on simplestreams remotes too.
   * @example lxc.images.list('images', { filter: 'os=alpine' }).then(images => images.length)
   */
  list(options: ListOptions): Image[];
  /**
   * Lists the fingerprints of all images.
   * @example lxc.images.fingerprints('local').then(fps => fps.length)
   */
  fingerprints(options: CallOptions): string[];
  /**
   * Reads one image by full fingerprint, unique prefix or alias. Concurrent calls on a remote
   * are coalesced where that is cheaper. With `secret` (from `createSecret` on a trusted client),
   * reads a private image of a server that does not trust this client, by fingerprint or prefix,
   * over HTTPS without a client certificate (on either transport).
   * @throws {@link NotFoundError} when nothing matches, or the secret is wrong or used up;
   * {@link LxcError} when a prefix is ambiguous.
   * @example lxc.images.info('local', fp, image => image.size)
   */
  info(ref: string, options: InfoOptions): Image;
  /**
   * Reads many images at once, in the order of `refs`, as cheaply as the remote allows.
   * @throws {@link NotFoundError} for the first ref that matches nothing.
   * @example lxc.images.infoMany('local', [fp1, 'alpine']).then(images => images.map(i => i.size))
   */
  infoMany(refs: readonly string[], options: CallOptions): Image[];
  /**
   * Reads the image an alias points at.
   * @throws {@link NotFoundError} when the alias does not exist.
   * @example lxc.images.getByAlias('local', 'alpine/3.19').then(image => image.fingerprint)
   */
  getByAlias(alias: string, options: CallOptions): Image;
  /**
   * Tells whether `ref` (fingerprint, prefix or alias) names an image. Never throws for "not found".
   * @example lxc.images.exists('local', 'alpine').then(found => found)
   */
  exists(ref: string, options: CallOptions): boolean;
  /**
   * Replaces the writable fields (PUT). `properties` is replaced whole; fields left out keep
   * their values. Never overwrites a concurrent writer's change.
   * @example lxc.images.replace('local', fp, { properties: { os: 'alpine' } }).then(image => image.properties)
   */
  replace(fp: string, body: write.ImageWritable, options: CallOptions): Image;
  /**
   * Updates some fields (PATCH); `properties` keys are merged in.
   * @example lxc.images.update('local', fp, { public: true }).then(image => image.public)
   */
  update(fp: string, patch: write.ImageWritable, options: CallOptions): Image;
  /**
   * Reads one property; `undefined` when it is not set.
   * @example lxc.images.getProperty('local', 'alpine', 'os').then(os => os)
   */
  getProperty(ref: string, key: string, options: CallOptions): string | undefined;
  /**
   * Sets one property (PATCH) and resolves to the image.
   * @example lxc.images.setProperty('local', 'alpine', 'owner', 'ops')
   */
  setProperty(ref: string, key: string, value: string, options: CallOptions): Image;
  /**
   * Removes one property (the `lxc` CLI only blanks it) and resolves to the image.
   * @example lxc.images.unsetProperty('local', 'alpine', 'owner')
   */
  unsetProperty(ref: string, key: string, options: CallOptions): Image;
  /**
   * Imports an image from a unified tarball path, `{metadata, rootfs}` paths, bytes, or a stream
   * (never held whole in memory).
   * @throws {@link ConflictError} when the image is already there.
   * @example lxc.images.import('local', 'alpine.tar.gz', { aliases: ['alpine'] }).then(image => image.fingerprint)
   */
  import(source: ImportSource, options: ImportOptions): Image;
  /**
   * Imports from an https URL that answers `LXD-Image-URL`/`LXD-Image-Hash` (LXD's `url` source).
   * @example lxc.images.importFromUrl('local', 'https://example.com/image', { aliases: ['web'] })
   */
  importFromUrl(url: string, options: ImportOptions): Image;
  /**
   * Copies an image from any remote (LXD or simplestreams) to an LXD remote; resolves to the copy.
   * @example lxc.images.copy('images', 'alpine/3.19', 'local', { aliases: ['alpine'] })
   */
  copy(ref: string, targetRemote: string, options: CopyOptions): Image;
  /**
   * Exports an image to a file or a directory, atomically (nothing is left behind on failure).
   * With `secret`, exports a private image of a server that does not trust this client (as
   * `info` reads one).
   * @throws {@link NotFoundError} when there is no such image, or the secret is wrong or used up.
   * @example lxc.images.export('local', 'alpine', '/tmp/alpine.tar.gz').then(r => r.files)
   */
  export(ref: string, destination: string, options: ExportOptions): ExportResult;
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
  publish(source: string, options: PublishOptions): Image;
  /**
   * Refreshes an auto-updating image from its source.
   * @example lxc.images.refresh('local', 'alpine').then(r => r.refreshed)
   */
  refresh(ref: string, options: RefreshOptions): RefreshResult;
  /**
   * Creates a single-use secret that lets an untrusted client fetch this private image.
   * @example lxc.images.createSecret('local', fp).then(s => s.secret)
   */
  createSecret(ref: string, options: CallOptions): ImageSecret;
  /**
   * What uses each image of the project (of every project with `allProjects`): its aliases, and
   * the instances and snapshots made from it (`c1`, `c1/snap0`, by their `volatile.base_image`;
   * `project:c1` for one of another project that shares this project's images). One listing of
   * the images and one of the instances with their snapshots, not a request per image.
   * @throws {@link RemoteError} on a public image server (it has no instances).
   * @example lxc.images.usage('local').then(usage => usage.filter(u => u.instances.length === 0))
   */
  usage(options: UsageOptions): ImageUsage[];
  /**
   * Deletes the images of the project that `policy` selects: `expired` (an `expires_at` in the
   * past; the daemons never delete those themselves), `unusedFor` (ms since `last_used_at`, or
   * `uploaded_at` for an image never used), `keep` (beyond the newest `keep` of each product);
   * any of them selects. Never an image that an alias, an instance or a snapshot uses: those are
   * in `kept`, with the reason (`alias web`, `used by c1/snap0`), as is every other image it
   * leaves. Cached images only with `cached: true`. The deletes run at once, each under the
   * client's lock on its image; on a cluster, once (the members share their images). `dryRun`
   * resolves to the same answer and deletes nothing.
   * @throws {@link ValidationError} for a bad policy (unknown keys, negative or fractional
   * numbers, nothing selected), before any request.
   * @throws {@link PruneError} when some deletes failed: the others ran, and the error lists
   * what was deleted, what failed and what was kept.
   * @example lxc.images.prune('local', { unusedFor: 30 * 86_400_000, keep: 2 }, { dryRun: true }).then(r => r.deleted.length)
   */
  prune(policy: PrunePolicy, options: PruneOptions): PruneResult;
}

/**
 * Deletes an image. Waits by default; `{wait: false}` resolves to the running `Operation`.
 * @throws {@link NotFoundError} when there is no such image.
 * @example lxc.images.delete('local', fp)
 */
export interface DeleteCall {
  <R = Operation>(
    remote: string | undefined,
    ref: string,
    options: DeleteNoWaitOptions,
    mutator?: Mutator<Operation, R>,
  ): Promise<NoInfer<R>>;
  <R = undefined>(
    remote: string | undefined,
    ref: string,
    options?: DeleteOptions | Mutator<undefined, R>,
    mutator?: Mutator<undefined, R>,
  ): Promise<NoInfer<R>>;
}

/**
 * Images: `client.images`, with `client.images.aliases` (see {@link ImageCalls}), and the
 * rollout calls `ensure` and `sync` (see {@link Rollout}).
 */
export type Images = ApiCalls<ImageCalls> &
  Rollout & {
    /** Deletes an image (see {@link DeleteCall}). */
    readonly delete: DeleteCall;
    /** Image aliases. */
    readonly aliases: ImageAliases;
  };

/** Makes `client.images`: each call is its flow, one line each. */
export function createImages(core: Core): Images {
  const batcher = new InfoBatcher();
  const calls = defineCalls<ImageCalls & { delete(ref: string, o: DeleteOptions): unknown }>(core, {
    list: (c, o) => listImages(c, o),
    fingerprints: (c) => listFingerprints(c),
    info: (c, o, ref) =>
      o.secret === undefined ? batcher.info(c, ref) : infoWithSecret(c, ref, o.secret),
    infoMany: (c, _o, refs) => infoMany(c, refs),
    getByAlias: (c, _o, alias) => getByAlias(c, alias),
    exists: (c, _o, ref) => batcher.exists(c, ref),
    replace: (c, _o, fp, body) => write.replaceImage(c, fp, body),
    update: (c, _o, fp, patch) => write.updateImage(c, fp, patch),
    delete: (c, o, ref) => write.deleteImage(c, ref, o.wait !== false),
    getProperty: (c, _o, ref, key) => getProperty(c, batcher.read, ref, key),
    setProperty: (c, _o, ref, key, value) => write.setProperty(c, ref, key, value),
    unsetProperty: (c, _o, ref, key) => write.unsetProperty(c, ref, key),
    import: (c, o, source) => importImage(c, source, o),
    importFromUrl: (c, o, url) => importFromUrl(c, url, o),
    copy: (c, o, ref, targetRemote) => copyImage(c, ref, targetRemote, o),
    export: (c, o, ref, dest) =>
      o.secret === undefined ? exportImage(c, ref, dest, o) : exportWithSecret(c, ref, dest, o),
    publish: (c, o, source) => publishImage(c, source, o),
    refresh: (c, o, ref) => refreshImage(c, ref, o),
    createSecret: (c, _o, ref) => createSecret(c, ref),
    usage: (c, o) => imagesUsage(c, o),
    prune: (c, o, policy) => prune(c, policy, o),
  });
  const aliases = createAliases(core);
  return { ...calls, ...createRollout(core), delete: calls.delete as DeleteCall, aliases };
}
