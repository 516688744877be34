import type { Call } from '../call/call.js';
import { ConflictError, LxcError, RemoteError } from '../wire/errors.js';
import { monotonic, operationProgress, type OperationProgress } from '../wire/progress.js';
import type { Stored } from '../wire/request.js';
import type { Image, ImageAlias } from '../wire/schemas.js';
import { checkCopy, type CheckedCopy, type CopyFlags } from '../wire/checks-transfer.js';
import { checkRef } from '../wire/validate.js';
import {
  pullRequest,
  pushExportRequest,
  pushTokenRequest,
  type SourceInfo,
} from '../requests/copy.js';
import { imageRequest, secretRequest } from '../requests/images.js';
import { EPOCH, relayRequest } from '../requests/import.js';
import { cancelRequest } from '../requests/operations.js';
import { replaceChange } from '../requests/write.js';
import { runOperation, startOperation } from '../operation/run.js';
import { undoOnAbort, type UndoStep } from '../operation/undo.js';
import { pointAliases } from './aliases.js';
import { undoStored } from './import.js';
import { infoImage } from './lookup.js';
import { writeImage } from './write.js';

/** The network addresses and certificate by which other servers reach `call`'s remote. */
export async function networkInfo(call: Call): Promise<SourceInfo> {
  const remote = await call.remoteInfo();
  if (remote.protocol === 'simplestreams' || remote.public) {
    return { servers: [remote.url], certificate: '', protocol: remote.protocol };
  }
  const server = await call.server();
  const servers = remote.url.startsWith('https://') ? [remote.url] : [];
  for (const address of server.environment.addresses) {
    const url = `https://${address}`;
    if (!address.startsWith(':') && !servers.includes(url)) servers.push(url);
  }
  if (servers.length === 0)
    throw new RemoteError("The source server isn't listening on the network", {
      remote: call.remote,
    });
  return { servers, certificate: server.environment.certificate, protocol: remote.protocol };
}

/** One copy in flight: the source call, the image and how it was named, the checked flags. */
export interface Copying {
  call: Call;
  image: Image;
  ref: string;
  copy: CheckedCopy;
  progress: OperationProgress;
  /** Receives the target's time at which the transfer began there, as soon as it is known. */
  onSince: (since: Date) => void;
}

// Drops a token (a secret or a push token) that a copy no longer needs, whatever happened.
async function dropToken(call: Call, id: string): Promise<void> {
  await call.send({ api: cancelRequest(id), lifetime: 'cleanup' }).catch(() => undefined);
}

// Pull mode: the target downloads from the source (with a secret for a private image).
async function pull({
  call,
  image,
  ref,
  copy,
  progress,
  onSince,
}: Copying): Promise<Stored | undefined> {
  const source = await networkInfo(call);
  const byAlias = image.public && ref !== image.fingerprint && !image.fingerprint.startsWith(ref);
  const token = image.public
    ? undefined
    : await startOperation({ ...call.context, start: secretRequest(image.fingerprint) });
  const target = call.at(copy.to);
  const wanted = {
    fingerprint: byAlias ? ref : image.fingerprint,
    secret: token === undefined ? undefined : String(token.metadata.secret),
    project: call.target.project,
  };
  try {
    // as the Go client does: the next address of the source only when one cannot be reached
    for (const [i, server] of source.servers.entries()) {
      try {
        const done = await runOperation({
          ...target.context,
          start: pullRequest(source, server, wanted, copy),
          onRunning: progress.onRunning,
          onStart: (op) => {
            if (op.created_at) onSince(op.created_at);
          },
          undo: 'stored',
        });
        // a pull of an image the target had succeeds too: the image then predates the operation
        return done.created_at
          ? { fingerprint: image.fingerprint, since: done.created_at }
          : undefined;
      } catch (error) {
        const last = i === source.servers.length - 1;
        if (last || !(error instanceof LxcError) || !/unable to connect/i.test(error.message))
          throw error;
      }
    }
    throw new RemoteError('the source has no address', { remote: call.remote });
  } finally {
    // a download uses the token up; a failed one, or a target that had the image, leaves it running
    if (token) await dropToken(call, token.id);
  }
}

// Push mode: the target hands out a token, and the source uploads to it.
async function push({ call, image, copy, progress, onSince }: Copying): Promise<Stored> {
  const target = call.at(copy.to);
  const targetInfo = await networkInfo(target);
  const start = pushTokenRequest(image.fingerprint, copy);
  const token = await startOperation({ ...target.context, start });
  // the image is stored after the target handed out its token: the token's start is `since`
  const since = token.created_at ?? EPOCH;
  onSince(since);
  try {
    const secret = String(token.metadata.secret);
    const url = targetInfo.servers[0] ?? '';
    const project = copy.to.project;
    const push = { url, certificate: targetInfo.certificate, secret, project };
    await runOperation({
      ...call.context,
      start: pushExportRequest(image.fingerprint, push),
      onRunning: progress.onRunning,
    });
    return { fingerprint: image.fingerprint, since };
  } finally {
    await dropToken(target, token.id);
  }
}

/** Moves the image with the transfer of the copy's mode; `undefined` when the target had it. */
export async function transfer(copying: Copying): Promise<Stored | undefined> {
  const { call, image, copy, progress } = copying;
  const moved =
    copy.mode === 'pull'
      ? pull(copying)
      : copy.mode === 'push'
        ? push(copying)
        : call.send(
            relayRequest({
              fingerprint: image.fingerprint,
              to: copy.to,
              public: copy.public,
              filename: image.filename,
              onProgress: copy.onProgress && progress.report,
            }),
          );
  return moved.catch(alreadyThere);
}

/** A target that has the image refuses an upload, push or relay of it: it keeps its own. */
export function alreadyThere(error: unknown): undefined {
  if (error instanceof ConflictError && /already exists/i.test(error.message)) return undefined;
  throw error;
}

/**
 * `images.copy`: copies an image between remotes in any mode and resolves to the copy on the
 * target. A target that has the image already keeps it, in every mode (the daemons accept such
 * a pull, and refuse a push or a relay with a conflict). When the call is aborted, the moved
 * aliases are put back, and an image that the copy stored is deleted again.
 */
export async function copyImage(
  call: Call,
  ref: unknown,
  targetRemote: unknown,
  flags: CopyFlags,
): Promise<Image> {
  const name = checkRef(ref);
  const copy = checkCopy(call.target, targetRemote, flags);
  const progress = operationProgress('copy', monotonic(copy.onProgress));
  const image = await infoImage(call, name, { type: copy.type });
  const target = call.at(copy.to);
  const aliases = [...copy.aliases, ...(copy.copyAliases ? image.aliases.map((a) => a.name) : [])];
  const moved: ImageAlias[] = [];
  // what the copy stored on the target (nothing when the target had the image)
  let stored: Stored | undefined;
  const onSince = (since: Date): void => {
    stored = { fingerprint: image.fingerprint, since };
  };
  const steps = (): UndoStep[] => (stored ? undoStored(moved, stored) : undoStored(moved));
  return undoOnAbort(target.context, steps, async () => {
    stored = await transfer({ call, image, ref: name, copy, progress, onSince });
    progress.done();
    await pointAliases(target, image.fingerprint, aliases, moved);
    if (copy.profiles !== undefined)
      return writeImage(target, image.fingerprint, replaceChange({ profiles: copy.profiles }));
    return target.send({ api: imageRequest(image.fingerprint) });
  });
}
