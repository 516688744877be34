import type { CallOptions, Core, Mutator, Tail } from '../call/core.js';
import type { EnsureFlags, EnsureSpec } from '../wire/checks-rollout.js';
import type { SyncFlags } from '../wire/checks-sync.js';
import { ensureImage, type EnsurePlan, type EnsureResult } from '../flows/ensure.js';
import { syncImage, type SyncResult } from '../flows/sync.js';
import { defineCalls, type ApiCalls } from './define.js';

/** Options of `images.ensure`. */
export interface EnsureOptions extends CallOptions, EnsureFlags {}
/** Options of `images.ensure` that ask for a dry run. */
export interface EnsureDryRunOptions extends EnsureOptions {
  dryRun: true;
}
/** Options of `images.ensure` that do not ask for a dry run. */
export interface EnsureWetOptions extends EnsureOptions {
  dryRun?: false | undefined;
}
/** Options of `images.sync`. */
export interface SyncOptions extends CallOptions, SyncFlags {}

/**
 * Converges a remote to a spec: `{source, aliases?, properties?, public?, autoUpdate?, profiles?,
 * expiresAt?, keep?}`. `source` is a unified tarball path, `{metadata, rootfs}` paths, an https
 * `{url}` that answers the image hash headers, an image `{remote, ref}` of another remote, or a
 * snapshot `{instance, snapshot}` of this remote. The image is identified before any byte
 * moves (local files are hashed here, a URL's server is asked for its hash, another remote's
 * image has its fingerprint; a snapshot is published once, stamped with the property
 * `lxc-images.source`), and transferred only when the remote lacks it (an upload carries the
 * expected fingerprint, so other data is refused). Then the fields converge with one guarded
 * write at most (`properties` merged over the image's own), each alias is created or moved
 * (never deleted), and `keep` deletes older images of the same product that nothing uses. A
 * second ensure of the same spec writes nothing and resolves `changed: false`; `dryRun`
 * resolves the actions and changes nothing. Ensures of one source run one at a time within a
 * client. An abort puts moved aliases back and deletes an image it stored.
 * @throws {@link ValidationError} for a bad spec (before anything runs).
 * @example lxc.images.ensure('staging', { source: 'app.tar.gz', aliases: ['app'] }).then(r => r.changed)
 */
export interface EnsureCall {
  <R = EnsurePlan>(
    remote: string | undefined,
    spec: EnsureSpec,
    ...tail: EnsureDryRunTail<R>
  ): Promise<NoInfer<R>>;
  <R = EnsureResult>(
    remote: string | undefined,
    spec: EnsureSpec,
    ...tail: Tail<EnsureWetOptions, EnsureResult, R>
  ): Promise<NoInfer<R>>;
  // `dryRun` known only when the program runs: either answer
  <R = EnsureResult | EnsurePlan>(
    remote: string | undefined,
    spec: EnsureSpec,
    ...tail: Tail<EnsureOptions, EnsureResult | EnsurePlan, R>
  ): Promise<NoInfer<R>>;
}

/** The tail of a dry run of `ensure`: its options, then a mutator of the plan. */
export type EnsureDryRunTail<R> = [options: EnsureDryRunOptions, mutator?: Mutator<EnsurePlan, R>];

/** The rollout calls of `client.images` besides `ensure` (see {@link EnsureCall}). */
export interface RolloutCalls {
  /**
   * Puts the image `ref` of the remote onto every target remote, as `ensure` would, with the
   * given `aliases`, `properties`, `public`, `autoUpdate` and `keep`. `ref` is resolved once.
   * `mode`: `auto` (default: `pull` where the target reaches the source, else `relay`), `pull`,
   * `push` or `relay` (through this client; the source is read once for all targets). Members
   * of one cluster are copied to once (the others are `cluster-peer`). `concurrency` targets
   * (default 4) are worked on at once; progress events carry `remote`. When a target fails the
   * others still finish (unless `failFast`: those not started are `skipped`), and the call
   * rejects with a {@link SyncError} whose `results` list every target. An abort undoes what
   * was made on the targets it stopped. `dryRun` resolves what each target holds and what would
   * be done.
   * @throws {@link SyncError} when a target failed.
   * @throws {@link AbortError} or {@link TimeoutError} when stopped; once the targets were read,
   * its `cause` is a {@link SyncError} saying what each target holds.
   * @throws {@link ValidationError} for bad input (before anything runs).
   * @example lxc.images.sync('staging', 'app', ['prod1', 'prod2'], { aliases: ['app'], keep: 2 })
   */
  sync(ref: string, targets: readonly string[], options: SyncOptions): SyncResult;
}

/** `client.images.ensure` and `client.images.sync`. */
export type Rollout = ApiCalls<RolloutCalls> & {
  /** Converges a remote to a spec (see {@link EnsureCall}). */
  readonly ensure: EnsureCall;
};

/** Makes the rollout calls of `client.images`, one line each. */
export function createRollout(core: Core): Rollout {
  const calls = defineCalls<RolloutCalls & { ensure(spec: EnsureSpec, o: EnsureOptions): unknown }>(
    core,
    {
      ensure: (c, o, spec) => ensureImage(c, spec, o),
      sync: (c, o, ref, targets) => syncImage(c, { ...o, ref, targets }),
    },
  );
  return { sync: calls.sync, ensure: calls.ensure as EnsureCall };
}
