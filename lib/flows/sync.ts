import type { Call } from '../call/call.js';
import { Scheduler } from '../call/scheduler.js';
import { interruption } from '../wire/deadline.js';
import { LxcError, SyncError, type SyncTargetResult } from '../wire/errors.js';
import { checkSync, type CheckedSync, type SyncFlags } from '../wire/checks-sync.js';
import { checkRef } from '../wire/validate.js';
import { clusterLeaders, type TargetFacts } from '../requests/clusters.js';
import { imageRequest } from '../requests/images.js';
import { found, infoImage } from './lookup.js';
import { spooler, tagged } from './sync-spool.js';
import { asLxcError, syncTarget } from './sync-target.js';

/** What `images.sync` takes: the image, the targets, and the flags. */
export interface SyncArgs extends SyncFlags {
  ref: unknown;
  targets: unknown;
}

/** What `images.sync` resolves to: the image, and what was done on each target (in order). */
export interface SyncResult {
  fingerprint: string;
  results: SyncTargetResult[];
}

// Reads what a target is (`GET /1.0`, once per client) and whether it holds the image.
async function inspect(
  source: Call,
  remote: string,
  fingerprint: string,
): Promise<TargetFacts | SyncTargetResult> {
  const target = source.at({ remote, project: source.target.project });
  try {
    const { environment } = await target.server();
    const present = await found(target.send({ api: imageRequest(fingerprint) }));
    const cluster = environment.server_clustered ? environment.certificate : undefined;
    return { remote, present, cluster };
  } catch (error) {
    if (source.signal.aborted) throw error;
    return { remote, status: 'failed', error: asLxcError(error, remote), actions: [] };
  }
}

// What a member of a cluster is, after the target of its cluster was synced.
function peerResult(remote: string, via: string, leader: SyncTargetResult): SyncTargetResult {
  if (leader.status === 'failed' || leader.status === 'skipped') {
    const why = `the sync to ${via}, a member of the same cluster, ${leader.status === 'failed' ? 'failed' : 'was skipped'}`;
    return {
      remote,
      status: leader.status,
      error: new LxcError(why, { remote, cause: leader.error }),
      actions: [],
    };
  }
  return { remote, status: 'cluster-peer', via, actions: [] };
}

// What an abort or a timeout left of a target that had not finished: undone, or never started.
function cut(remote: string, started: ReadonlySet<string>, why: LxcError): SyncTargetResult {
  const ran = started.has(remote);
  const what = ran ? 'stopped here, and what it made was undone' : 'not started';
  const error = new LxcError(`${what}: ${why.message}`, { remote, cause: why });
  return { remote, status: ran ? 'failed' : 'skipped', error, actions: [] };
}

// A target's result: its own, or that of a member of its cluster.
function resultOf(
  remote: string,
  done: ReadonlyMap<string, SyncTargetResult>,
  peers: ReadonlyMap<string, string>,
): SyncTargetResult {
  const via = peers.get(remote);
  const own = done.get(remote);
  const leader = via === undefined ? undefined : done.get(via);
  if (via !== undefined && leader) return peerResult(remote, via, leader);
  if (own) return own;
  throw new LxcError(`no result for ${remote}`, { remote });
}

/** One sync in flight: its call, the image, the flags, and the results so far. */
interface Syncing {
  call: Call;
  ref: string;
  checked: CheckedSync;
  done: Map<string, SyncTargetResult>;
  /** The targets whose turn came (a target not in it was never started). */
  started: Set<string>;
}

// Syncs one target per cluster, `concurrency` at once; with `failFast`, those not started after a failure are skipped.
async function syncTargets(
  s: Syncing,
  facts: TargetFacts[],
  image: Parameters<typeof syncTarget>[0]['image'],
): Promise<void> {
  const { call, checked, done } = s;
  const slots = new Scheduler(checked.concurrency);
  const spool = spooler(call, image.fingerprint, tagged(checked.onProgress, call.remote));
  let failed = [...done.values()].some((r) => r.status === 'failed');
  const one = async (fact: TargetFacts): Promise<void> => {
    s.started.add(fact.remote);
    if (checked.failFast && failed) {
      const error = new LxcError('not started: another target failed and failFast is set');
      done.set(fact.remote, { remote: fact.remote, status: 'skipped', error, actions: [] });
      return;
    }
    const onProgress = tagged(checked.onProgress, fact.remote);
    const run = { source: call, image, ref: s.ref, ...fact, checked, onProgress, spool: spool.get };
    const result = await syncTarget(run);
    failed ||= result.status === 'failed';
    done.set(fact.remote, result);
  };
  try {
    await Promise.allSettled(facts.map((fact) => slots.run(() => one(fact), call.signal)));
  } finally {
    await spool.dispose();
  }
}

/**
 * `images.sync`: resolves `ref` once on the source, then puts the image on every target as
 * `ensure` would (see {@link syncTarget}), one target per cluster. Rejects with a
 * {@link SyncError} listing every target when any failed; an abort undoes per target what was
 * made, then rejects as aborted, with a {@link SyncError} as its `cause` that says what each
 * target holds (a target that finished before the abort keeps what it got).
 */
export async function syncImage(call: Call, args: SyncArgs): Promise<SyncResult> {
  const name = checkRef(args.ref);
  const checked = checkSync(call.target, args.targets, args);
  const image = await infoImage(call, name);
  const { fingerprint } = image;
  const slots = new Scheduler(checked.concurrency);
  const inspected = await Promise.allSettled(
    checked.targets.map((remote) =>
      slots.run(() => inspect(call, remote, fingerprint), call.signal),
    ),
  );
  const done = new Map<string, SyncTargetResult>();
  const facts: TargetFacts[] = [];
  for (const entry of inspected) {
    // only an abort rejects here (inspect makes any other failure the target's result)
    if (entry.status === 'rejected') {
      if (!call.signal.aborted) throw entry.reason;
    } else if ('status' in entry.value) done.set(entry.value.remote, entry.value);
    else facts.push(entry.value);
  }
  const { work, peers } = clusterLeaders(facts);
  const started = new Set<string>();
  await syncTargets({ call, ref: name, checked, done, started }, work, image);
  const interrupted = interruption(call.signal, { remote: call.remote });
  if (interrupted) {
    // every target's outcome goes with the abort: error.cause is a SyncError
    for (const remote of checked.targets)
      if (!done.has(remote) && !peers.has(remote))
        done.set(remote, cut(remote, started, interrupted));
    const results = checked.targets.map((remote) => resultOf(remote, done, peers));
    // the abort's own reason stays in the chain: error.cause (the SyncError).cause
    const reason = interrupted.cause === undefined ? {} : { cause: interrupted.cause };
    const cause = new SyncError(fingerprint, results, { remote: call.remote, ...reason });
    throw interruption(call.signal, { remote: call.remote, cause }) ?? interrupted;
  }
  const results = checked.targets.map((remote) => resultOf(remote, done, peers));
  if (results.some((r) => r.status === 'failed'))
    throw new SyncError(fingerprint, results, { remote: call.remote });
  return { fingerprint, results };
}
