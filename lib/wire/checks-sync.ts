import { ValidationError } from './errors.js';
import type { ProgressHandler } from './progress.js';
import type { Target } from './request.js';
import { checkProgress } from './checks.js';
import { checkDesired, checkKeep, type Desired } from './checks-rollout.js';
import { checkAlias, checkBoolean, checkList, checkRemote } from './validate.js';

// The checks of `images.sync`: the targets and flags, before anything runs.

/** How `images.sync` moves the image to a target that lacks it. */
export type SyncMode = 'auto' | 'pull' | 'push' | 'relay';

/** Options of `images.sync` (besides the common call options). */
export interface SyncFlags {
  /** Aliases to point at the image on every target. */
  aliases?: string[] | undefined;
  /** Properties, merged over the image's own on every target. */
  properties?: Record<string, string> | undefined;
  /** Whether the image is public on the targets. */
  public?: boolean | undefined;
  /** Whether the targets keep it up to date with the source (pull copies only). */
  autoUpdate?: boolean | undefined;
  /**
   * `auto` (default: `pull` where the target reaches the source, else `relay`), `pull`, `push`
   * or `relay` (through this client, the source read once for all targets).
   */
  mode?: SyncMode | undefined;
  /** How many targets are worked on at once (default 4). */
  concurrency?: number | undefined;
  /** Stop starting targets once one has failed (those not started are `skipped`). */
  failFast?: boolean | undefined;
  /** Change nothing: resolve to what each target holds and what would be done. */
  dryRun?: boolean | undefined;
  /** Keep the newest `keep` images of the product on each target, deleting older unused ones. */
  keep?: number | undefined;
  /** Receives progress events, each with the `remote` it is about. */
  onProgress?: ProgressHandler | undefined;
}

/** Checked sync flags. */
export interface CheckedSync {
  targets: string[];
  aliases: string[];
  desired: Desired;
  mode: SyncMode;
  concurrency: number;
  failFast: boolean;
  dryRun: boolean;
  keep: number | undefined;
  onProgress: ProgressHandler | undefined;
}

// Checks the target remotes: an array of distinct remote names, none of them the source.
function checkTargets(source: Target, targets: unknown): string[] {
  if (!Array.isArray(targets)) throw new ValidationError('targets', 'must be an array of remotes');
  const names = targets.map((target, i) => checkRemote(target, `targets[${i}]`));
  names.forEach((name, i) => {
    if (name === source.remote)
      throw new ValidationError(`targets[${i}]`, `"${name}" is the source remote`);
    if (names.indexOf(name) !== i)
      throw new ValidationError(`targets[${i}]`, `"${name}" is given twice`);
  });
  return names;
}

/** Checks the targets and flags of `images.sync`, before anything runs. */
export function checkSync(source: Target, targets: unknown, flags: SyncFlags): CheckedSync {
  const mode = flags.mode ?? 'auto';
  if (!['auto', 'pull', 'push', 'relay'].includes(mode))
    throw new ValidationError('mode', 'must be "auto", "pull", "push" or "relay"');
  const concurrency = flags.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ValidationError('concurrency', `must be a whole number of at least 1`);
  const desired = checkDesired({ ...flags, profiles: undefined, expiresAt: undefined });
  if (desired.autoUpdate === true && (mode === 'push' || mode === 'relay'))
    throw new ValidationError('autoUpdate', 'needs a pull copy (mode "pull" or "auto")');
  return {
    targets: checkTargets(source, targets),
    aliases: checkList(flags.aliases, 'aliases', checkAlias),
    desired,
    mode,
    concurrency,
    failFast: checkBoolean(flags.failFast, 'failFast') ?? false,
    dryRun: checkBoolean(flags.dryRun, 'dryRun') ?? false,
    keep: checkKeep(flags.keep),
    onProgress: checkProgress(flags.onProgress),
  };
}
