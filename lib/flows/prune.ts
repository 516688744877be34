import type { Call } from '../call/call.js';
import { throwIfInterrupted } from '../wire/deadline.js';
import { LxcError, NotFoundError } from '../wire/errors.js';
import { checkPrunePolicy } from '../wire/checks-prune.js';
import { PruneError, type PruneFailure, type PruneResult } from '../wire/prune-error.js';
import type { Image } from '../wire/schemas.js';
import { checkBoolean } from '../wire/validate.js';
import { deleteRequest } from '../requests/images.js';
import { planPrune, type PruneRules } from '../requests/retention.js';
import { imageKey } from '../requests/write.js';
import { imageFacts } from './usage.js';

/** Options of `images.prune` (besides the common call options). */
export interface PruneFlags {
  /** Resolve to what would be deleted, and delete nothing. */
  dryRun?: boolean | undefined;
}

// Deletes one image (listed in the call's project), under the client's lock on it; one already gone counts.
async function deleteOne(call: Call, image: Image): Promise<PruneFailure | undefined> {
  const { fingerprint } = image;
  try {
    await call.send({ api: deleteRequest(fingerprint, true), lock: imageKey(fingerprint) });
    return undefined;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    return { fingerprint, error: asLxcError(error, call) };
  }
}

// Deletes the images at once (the client's concurrency limit applies); reports every failure.
async function deleteAll(call: Call, plan: PruneResult): Promise<PruneResult> {
  const outcomes = await Promise.all(plan.deleted.map((image) => deleteOne(call, image)));
  throwIfInterrupted(call.signal, { remote: call.remote });
  const failed = outcomes.filter((outcome) => outcome !== undefined);
  if (failed.length === 0) return plan;
  const lost = new Set(failed.map((f) => f.fingerprint));
  const deleted = plan.deleted.filter((image) => !lost.has(image.fingerprint));
  throw new PruneError({ deleted, kept: plan.kept, failed }, { remote: call.remote });
}

// A failure as an LxcError (the seam's failures already are).
function asLxcError(error: unknown, call: Call): LxcError {
  if (error instanceof LxcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LxcError(message, { remote: call.remote, cause: error });
}

/**
 * Prunes the images of the call's project by `rules`: one listing of the images and one of the
 * instances, the plan of {@link planPrune} at this moment, then every delete at once (each under
 * the client's lock on its image). `ensure`'s and `sync`'s `keep` call it with
 * `keepRules(n, image)` (the newest `n` of `image`'s product). With `dryRun` nothing is deleted.
 * @throws {@link PruneError} when some deletes failed (the others ran).
 */
export async function pruneImages(
  call: Call,
  rules: PruneRules,
  flags: { dryRun: boolean },
): Promise<PruneResult> {
  const { images, usage } = await imageFacts(call, false);
  const plan = planPrune({ images, usage, rules, now: new Date() });
  if (flags.dryRun || plan.deleted.length === 0) return plan;
  return deleteAll(call, plan);
}

/** `images.prune`: checks the policy and the flags, then {@link pruneImages}. */
export function prune(call: Call, policy: unknown, flags: PruneFlags): Promise<PruneResult> {
  const rules = checkPrunePolicy(policy);
  const dryRun = checkBoolean(flags.dryRun, 'dryRun') ?? false;
  return pruneImages(call, rules, { dryRun });
}
