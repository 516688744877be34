import type { Call } from '../call/call.js';
import { monotonic } from '../wire/progress.js';
import type { Stored } from '../wire/request.js';
import type { RolloutAction } from '../wire/rollout.js';
import type { Image, ImageAlias } from '../wire/schemas.js';
import {
  checkEnsureFlags,
  checkEnsureSpec,
  type CheckedSpec,
  type EnsureFlags,
} from '../wire/checks-rollout.js';
import { undoOnAbort } from '../operation/undo.js';
import { converge, currentTarget, type Converging } from './converge.js';
import { identify, type Identified } from './ensure-source.js';
import { undoStored } from './import.js';
import { keepNewest } from './keep.js';

/** What `images.ensure` resolves to. */
export interface EnsureResult {
  /** The image as it is on the remote now. */
  image: Image;
  /** True when anything was changed (false: the remote was as asked already). */
  changed: boolean;
  /** What was done, in order. */
  actions: RolloutAction[];
}

/** What `images.ensure` resolves to in a dry run: nothing changed. */
export interface EnsurePlan {
  /** The image as it is on the remote now; `undefined` when the remote does not have it yet. */
  image: Image | undefined;
  changed: false;
  /** What would be done, in order. */
  actions: RolloutAction[];
}

/** One ensure in flight: its call, its checked spec and flags, what it found and did. */
interface Ensuring {
  call: Call;
  spec: CheckedSpec;
  source: Identified;
  dryRun: boolean;
  onProgress: EnsureFlags['onProgress'];
  actions: RolloutAction[];
}

// The image's fields, aliases and older versions, brought to the spec (undone on abort).
async function settle(e: Ensuring, fingerprint: string, stored?: Stored): Promise<Image> {
  const { call, spec, dryRun, actions } = e;
  const moved: ImageAlias[] = [];
  const c: Converging = { call, fingerprint, ...spec, dryRun, actions, moved };
  return undoOnAbort(
    call.context,
    () => undoStored(moved, stored),
    async () => {
      const image = await converge(c);
      if (spec.keep !== undefined) await keepNewest({ ...c, image, keep: spec.keep });
      return image;
    },
  );
}

// The plan of a dry run for an image the remote does not have: the transfer and the aliases.
async function planAbsent(e: Ensuring): Promise<EnsurePlan> {
  const { call, spec, actions } = e;
  const target = e.source.fingerprint;
  for (const name of spec.aliases) {
    const from = await currentTarget(call, name);
    if (target === undefined || from !== target)
      actions.push({ action: 'alias', name, target: target ?? '', from });
  }
  return { image: undefined, changed: false, actions };
}

// Under the client's lock on the source: find the image, transfer it if absent, then settle.
async function ensureLocked(e: Ensuring): Promise<EnsureResult | EnsurePlan> {
  const { source, spec, actions } = e;
  let fingerprint = await source.present();
  let stored: Stored | undefined;
  if (fingerprint === undefined) {
    const { how } = source;
    if (e.dryRun) {
      actions.push({ action: 'transfer', how, fingerprint: source.fingerprint });
      return planAbsent(e);
    }
    const { desired } = spec;
    const carried = {
      public: desired.public ?? false,
      autoUpdate: desired.autoUpdate ?? false,
      properties: desired.properties ?? {},
      onProgress: monotonic(e.onProgress),
    };
    ({ fingerprint, stored } = await source.transfer(carried));
    // nothing stored: another client put the image there meanwhile
    if (stored) actions.push({ action: 'transfer', how, fingerprint });
  }
  const image = await settle(e, fingerprint, stored);
  if (e.dryRun) return { image, changed: false, actions };
  return { image, changed: actions.length > 0, actions };
}

/**
 * `images.ensure`: converges a remote to a spec. The image is identified before any byte
 * moves and transferred only when the remote lacks it; then its fields (one guarded write at
 * most), its aliases (each created or moved, never deleted) and older versions (`keep`) are
 * brought to the spec. Ensures of one source run one at a time within a client. An abort puts
 * moved aliases back and deletes an image it stored.
 */
export async function ensureImage(
  call: Call,
  spec: unknown,
  flags: EnsureFlags,
): Promise<EnsureResult | EnsurePlan> {
  const checked = await checkEnsureSpec(spec);
  const { dryRun, onProgress } = checkEnsureFlags(flags);
  const source = await identify(call, checked);
  const e: Ensuring = { call, spec: checked, source, dryRun, onProgress, actions: [] };
  return call.exclusive(`ensure ${source.key}`, () => ensureLocked(e));
}
