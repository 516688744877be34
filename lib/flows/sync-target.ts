import type { Call } from '../call/call.js';
import { LxcError, type SyncTargetResult } from '../wire/errors.js';
import type { ProgressHandler } from '../wire/progress.js';
import type { Spool, Stored } from '../wire/request.js';
import type { RolloutAction } from '../wire/rollout.js';
import type { Image } from '../wire/schemas.js';
import type { CheckedSync } from '../wire/checks-sync.js';
import { undoOnAbort } from '../operation/undo.js';
import { converge, currentTarget, type Converging } from './converge.js';
import { undoStored } from './import.js';
import { keepNewest } from './keep.js';
import { moveImage } from './move.js';

/** One target of a sync: the source call and image, the target and what it holds, the flags. */
export interface TargetRun {
  /** The call, aimed at the source remote. */
  source: Call;
  image: Image;
  ref: string;
  remote: string;
  /** Whether the target had the image when the sync looked. */
  present: boolean;
  checked: CheckedSync;
  /** Progress events of this target (with its `remote`). */
  onProgress: ProgressHandler | undefined;
  /** The image read once for every relay. */
  spool: () => Promise<Spool>;
}

/** Any failure of a target as an LxcError (the seam's already are). */
export function asLxcError(error: unknown, remote: string): LxcError {
  if (error instanceof LxcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LxcError(message, { remote, cause: error });
}

// What converging the target takes: its call, the image, the flags (as `ensure` has them).
function converging(run: TargetRun, target: Call, dryRun: boolean): Converging {
  const { checked, image } = run;
  const { aliases, desired } = checked;
  const fingerprint = image.fingerprint;
  return { call: target, fingerprint, desired, aliases, dryRun, actions: [], moved: [] };
}

// Moves the image to a target that lacks it; records the transfer and what it stored.
async function transferTo(
  run: TargetRun,
  c: Converging,
  onStored: (stored: Stored | undefined) => void,
): Promise<void> {
  const { checked, image } = run;
  const { fingerprint } = image;
  const moved = await moveImage({
    ...run,
    public: checked.desired.public ?? false,
    autoUpdate: checked.desired.autoUpdate ?? false,
    to: c.call.target,
    mode: checked.mode,
    onSince: (since) => {
      onStored({ fingerprint, since });
    },
  });
  onStored(moved.stored);
  if (moved.stored) c.actions.push({ action: 'transfer', how: moved.how, fingerprint });
}

// Moves the image to the target and settles it there; undone per target when aborted.
async function apply(run: TargetRun, target: Call): Promise<SyncTargetResult> {
  const { checked } = run;
  const c = converging(run, target, false);
  let stored: Stored | undefined;
  await undoOnAbort(
    target.context,
    () => undoStored(c.moved, stored),
    async () => {
      if (!run.present) await transferTo(run, c, (s) => (stored = s));
      const image = await converge(c);
      if (checked.keep !== undefined) await keepNewest({ ...c, image, keep: checked.keep });
    },
  );
  const copied = c.actions.some((a) => a.action === 'transfer');
  const status = copied ? 'copied' : c.actions.length > 0 ? 'updated' : 'present';
  return { remote: run.remote, status, actions: c.actions };
}

// What a dry run says of one target: what it holds, and what would be done.
async function plan(run: TargetRun, target: Call): Promise<SyncTargetResult> {
  const c = converging(run, target, true);
  const actions: RolloutAction[] = c.actions;
  const { keep } = run.checked;
  if (run.present) {
    const image = await converge(c);
    if (keep !== undefined) await keepNewest({ ...c, image, keep });
  } else {
    const how = run.checked.mode === 'auto' ? 'pull' : run.checked.mode;
    actions.push({ action: 'transfer', how, fingerprint: run.image.fingerprint });
  }
  const aliases: Record<string, string | null> = {};
  for (const name of run.checked.aliases) aliases[name] = await currentTarget(target, name);
  if (!run.present)
    for (const [name, from] of Object.entries(aliases))
      actions.push({ action: 'alias', name, target: run.image.fingerprint, from });
  const status = !run.present ? 'copied' : actions.length > 0 ? 'updated' : 'present';
  return { remote: run.remote, status, actions, present: run.present, aliases };
}

/**
 * Syncs one target (see `images.sync`): moves the image there when it lacks it, then brings
 * its aliases and fields to the flags and keeps the newest of its product, as `ensure` does.
 * A failure is the target's result (`failed`), not a rejection, unless the call was aborted.
 */
export async function syncTarget(run: TargetRun): Promise<SyncTargetResult> {
  const target = run.source.at({ remote: run.remote, project: run.source.target.project });
  try {
    return await (run.checked.dryRun ? plan(run, target) : apply(run, target));
  } catch (error) {
    if (run.source.signal.aborted) throw error;
    return {
      remote: run.remote,
      status: 'failed',
      error: asLxcError(error, run.remote),
      actions: [],
    };
  }
}
