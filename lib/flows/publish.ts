import type { Call } from '../call/call.js';
import { interruption } from '../wire/deadline.js';
import { AbortError, InstanceRunningError, LxcError, TimeoutError } from '../wire/errors.js';
import {
  monotonic,
  operationProgress,
  parseProgress,
  type OperationProgress,
} from '../wire/progress.js';
import type { ApiRequest } from '../wire/request.js';
import type { Image, Operation } from '../wire/schemas.js';
import {
  checkPublishFlags,
  checkPublishSource,
  type CheckedPublish,
  type PublishFlags,
  type PublishSource,
} from '../wire/checks-publish.js';
import { storedBy } from '../requests/import.js';
import {
  ephemeralRequest,
  imageProperties,
  publishRequest,
  startAndWaitRequest,
  stateRequest,
  subjectRequest,
  type Instance,
} from '../requests/instances.js';
import { operationRequest } from '../requests/operations.js';
import { CLEANUP_MS } from '../operation/cleanup.js';
import { runOperation } from '../operation/run.js';
import { hasEnded } from '../operation/wait.js';
import { finishImport } from './import.js';

export type { PublishFlags } from '../wire/checks-publish.js';

// Reports each `<what>_progress` text of a running publish ("Image pack: 21% (2.51MB/s)").
function packProgress(progress: OperationProgress): ((op: Operation) => void) | undefined {
  if (!progress.onRunning) return undefined;
  return (op) => {
    for (const [key, value] of Object.entries(op.metadata)) {
      const what = /^(.+)_progress$/.exec(key)?.[1];
      if (what === undefined || typeof value !== 'string') continue;
      const event = parseProgress('publish', value) ?? parseProgress('publish', value, what);
      if (event) progress.report(event);
    }
  };
}

// What an abort or a timeout did to a publish that had started (it cannot be cancelled).
async function aborted(call: Call, cut: unknown, id: string): Promise<Error> {
  const error =
    cut instanceof AbortError || cut instanceof TimeoutError
      ? cut
      : (interruption(call.signal, { remote: call.remote, cause: cut }) ??
        new AbortError('aborted'));
  const read = { api: operationRequest(id), lifetime: 'cleanup' as const };
  const op = await call.send(read).catch(() => undefined);
  const what =
    op !== undefined && !hasEnded(op)
      ? `a publish cannot be cancelled, and operation ${id} was still running after ${CLEANUP_MS / 1000} s: its image will land, without aliases`
      : 'a publish cannot be cancelled, so the call waited for it to end and deleted the image it made; no alias was moved (the work was undone, not cancelled)';
  const Class = error instanceof TimeoutError ? TimeoutError : AbortError;
  const { command, remote, durationMs } = error;
  return new Class(`${error.message}: ${what}`, { command, remote, durationMs, cause: error });
}

// The error a failed publish rejects with.
async function explained(call: Call, error: unknown, id: string, name: string): Promise<unknown> {
  if (call.signal.aborted) return aborted(call, error, id);
  if (error instanceof LxcError && /export a running instance/i.test(error.message))
    return new InstanceRunningError(name, { remote: call.remote, cause: error });
  return error;
}

// Publishes once: the operation, then the aliases; undone when the call is aborted.
async function publishOnce(
  call: Call,
  source: PublishSource,
  checked: CheckedPublish,
): Promise<Image> {
  const progress = operationProgress('publish', monotonic(checked.onProgress));
  let id: string | undefined;
  try {
    const done = await runOperation({
      ...call.context,
      start: publishRequest(source, checked),
      onStart: (op) => (id = op.id),
      onRunning: packProgress(progress),
      command: ['POST', `${call.remote}:/1.0/images`],
      undo: 'stored',
    });
    progress.done();
    return await finishImport(call, storedBy(done, call.remote), checked.aliases);
  } catch (error) {
    if (id === undefined) throw error;
    throw await explained(call, error, id, source.instance);
  }
}

// Runs an instance state change to its end (a stop cannot be cut short: an abort waits for it).
async function changeState(call: Call, start: ApiRequest<Operation>): Promise<void> {
  await runOperation({ ...call.context, start });
}

// Starts the instance again, past an abort, first making it ephemeral again if it still is not.
async function restart(call: Call, name: string, ephemeral: boolean): Promise<void> {
  if (ephemeral) await call.send({ api: ephemeralRequest(name, true), lifetime: 'cleanup' });
  await call.send({ api: startAndWaitRequest(name), lifetime: 'cleanup' });
}

/**
 * Publishes a running instance as `lxc publish --force` does: stops it (an ephemeral one is made
 * persistent for the stop, so that it is not deleted, and ephemeral again once stopped),
 * publishes, and starts it again, also when the publish fails or the call is aborted.
 */
async function whileStopped(
  call: Call,
  instance: Instance,
  publish: () => Promise<Image>,
): Promise<Image> {
  const { name, ephemeral } = instance;
  let cleared = false; // true while the ephemeral flag is off and must be put back
  let image: Image;
  try {
    if (ephemeral) {
      cleared = true;
      await call.send({ api: ephemeralRequest(name, false) });
    }
    await changeState(call, stateRequest(name, 'stop'));
    if (cleared) await call.send({ api: ephemeralRequest(name, true) });
    cleared = false;
    image = await publish();
  } catch (error) {
    await restart(call, name, cleared).catch(() => undefined);
    throw error;
  }
  await restart(call, name, false).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LxcError(
      `published ${image.fingerprint}, but the instance "${name}" did not start again: ${reason}`,
      { remote: call.remote, cause: error },
    );
  });
  return image;
}

/**
 * Publishes an instance or a snapshot as an image (`POST /1.0/images`), points the aliases at
 * it, and reads it back. Properties are merged over those of the instance's image (its
 * `image.*` config keys) on both daemons: LXD 5.0 would replace them whole. A running instance
 * needs `force`. An aborted publish, which no daemon can cancel, is waited for and its image
 * deleted again.
 */
export async function publishImage(
  call: Call,
  source: unknown,
  flags: PublishFlags,
): Promise<Image> {
  const checkedSource = checkPublishSource(source);
  const flagged = checkPublishFlags(flags);
  const subject = await call.send({ api: subjectRequest(checkedSource) });
  const checked = flagged.properties
    ? { ...flagged, properties: { ...imageProperties(subject.config), ...flagged.properties } }
    : flagged;
  const publish = (): Promise<Image> => publishOnce(call, checkedSource, checked);
  if (checkedSource.snapshot !== undefined || subject.status !== 'Running') return publish();
  if (!checked.force)
    throw new InstanceRunningError(checkedSource.instance, { remote: call.remote });
  return whileStopped(call, subject, publish);
}
