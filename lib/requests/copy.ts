import type { Call } from '../call/call.js';
import { cancelRequest } from '../call/operation.js';
import { ConflictError, LxcError, RemoteError, ValidationError } from '../errors.js';
import { operationProgress, type OperationProgress, type ProgressHandler } from '../progress.js';
import { OperationSchema, type Image, type ImageAlias, type Operation } from '../schemas.js';
import {
  checkAlias,
  checkBoolean,
  checkList,
  checkProject,
  checkRef,
  checkRemote,
} from '../validate.js';
import { pointAliases, restoreAliases } from './aliases.js';
import { found, getImage, imageRequest, infoImage } from './lookup.js';
import { apiPath, type ApiRequest, type Request, type Target } from './request.js';
import { secretRequest } from './secret.js';
import { deleteRequest, replaceChange, writeImage } from './write.js';

/** Options of `images.copy` (besides the common call options). */
export interface CopyFlags {
  /** Aliases to create on the target. */
  aliases?: string[] | undefined;
  /** Copy the source image's aliases too. */
  copyAliases?: boolean | undefined;
  /** Keep the copy up to date with its source (pull mode only). */
  autoUpdate?: boolean | undefined;
  /** Make the copy public. */
  public?: boolean | undefined;
  /** `pull` (default: the target downloads), `push` (the source uploads) or `relay` (through this client). */
  mode?: 'pull' | 'push' | 'relay' | undefined;
  /** Profiles to give the copy. */
  profiles?: string[] | undefined;
  /** The project on the target (the source's project is `project`). */
  targetProject?: string | undefined;
  /** Copy the virtual-machine image of an alias. */
  vm?: boolean | undefined;
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

/** Copy flags once checked. */
export interface CheckedCopy {
  to: Target;
  mode: 'pull' | 'push' | 'relay';
  aliases: string[];
  copyAliases: boolean;
  autoUpdate: boolean;
  public: boolean;
  profiles: string[] | undefined;
  type: Image['type'];
  onProgress: ProgressHandler | undefined;
}

/** Checks the target remote and the flags of a copy. */
export function checkCopy(source: Target, targetRemote: unknown, flags: CopyFlags): CheckedCopy {
  const mode = flags.mode ?? 'pull';
  if (!['pull', 'push', 'relay'].includes(mode))
    throw new ValidationError('mode', 'must be "pull", "push" or "relay"');
  const autoUpdate = checkBoolean(flags.autoUpdate, 'autoUpdate') ?? false;
  if (autoUpdate && mode !== 'pull')
    throw new ValidationError('autoUpdate', 'is only available in pull mode');
  const targetProject =
    flags.targetProject === undefined
      ? source.project
      : checkProject(flags.targetProject, 'targetProject');
  return {
    to: { remote: checkRemote(targetRemote, 'targetRemote'), project: targetProject },
    mode,
    aliases: checkList(flags.aliases, 'aliases', checkAlias),
    copyAliases: checkBoolean(flags.copyAliases, 'copyAliases') ?? false,
    autoUpdate,
    public: checkBoolean(flags.public, 'public') ?? false,
    profiles:
      flags.profiles === undefined
        ? undefined
        : checkList(flags.profiles, 'profiles', checkProject),
    type: checkBoolean(flags.vm, 'vm') ? 'virtual-machine' : 'container',
    onProgress: flags.onProgress,
  };
}

/** How the target reaches the source: its addresses, certificate and protocol. */
export interface SourceInfo {
  servers: string[];
  certificate: string;
  protocol: string;
}

/** `POST /1.0/images` on the target: download `fingerprint` (or a public alias) from the source. */
export function pullRequest(
  source: SourceInfo,
  server: string,
  image: { fingerprint: string; secret?: string | undefined; project?: string | undefined },
  copy: CheckedCopy,
): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: '/1.0/images',
    body: {
      source: {
        type: 'image',
        mode: 'pull',
        server,
        protocol: source.protocol,
        certificate: source.certificate,
        fingerprint: image.fingerprint,
        ...(image.secret === undefined ? {} : { secret: image.secret }),
        ...(image.project === undefined ? {} : { project: image.project }),
        ...(copy.type === 'virtual-machine' ? { image_type: copy.type } : {}),
      },
      public: copy.public,
      auto_update: copy.autoUpdate,
    },
    schema: OperationSchema,
  };
}

/** `POST /1.0/images` on the target in push mode: a token operation whose metadata has a secret. */
export function pushTokenRequest(fingerprint: string, copy: CheckedCopy): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: '/1.0/images',
    body: { source: { fingerprint, mode: 'push' }, public: copy.public },
    schema: OperationSchema,
  };
}

/** `POST /1.0/images/<fp>/export` on the source: push the image to the target. */
export function pushExportRequest(
  fingerprint: string,
  target: { url: string; certificate: string; secret: string; project: string | undefined },
): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: apiPath('1.0', 'images', fingerprint, 'export'),
    body: {
      target: target.url,
      certificate: target.certificate,
      secret: target.secret,
      ...(target.project === undefined ? {} : { project: target.project }),
    },
    schema: OperationSchema,
  };
}

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

// Pull mode: the target downloads from the source (with a secret for a private image).
async function pull(
  call: Call,
  image: Image,
  ref: string,
  copy: CheckedCopy,
  progress: OperationProgress,
): Promise<void> {
  const source = await networkInfo(call);
  const byAlias = image.public && ref !== image.fingerprint && !image.fingerprint.startsWith(ref);
  const token = image.public
    ? undefined
    : await call.start({ api: secretRequest(image.fingerprint) });
  const secret = token === undefined ? undefined : String(token.metadata.secret);
  const target = call.at(copy.to);
  const wanted = {
    fingerprint: byAlias ? ref : image.fingerprint,
    secret,
    project: call.target.project,
  };
  try {
    // as the Go client does: the next address of the source only when one cannot be reached
    for (const [i, server] of source.servers.entries()) {
      const op = await target.start({ api: pullRequest(source, server, wanted, copy) });
      try {
        await target.wait(op.id, { onRunning: progress.onRunning });
        return;
      } catch (error) {
        const last = i === source.servers.length - 1;
        if (last || !(error instanceof LxcError) || !/unable to connect/i.test(error.message))
          throw error;
      }
    }
  } finally {
    // a download uses the token up; a failed one, or a target that had the image, leaves it running
    if (token) await call.cleanup({ api: cancelRequest(token.id) }).catch(() => undefined);
  }
}

// Push mode: the target hands out a token, and the source uploads to it.
async function push(
  call: Call,
  image: Image,
  copy: CheckedCopy,
  progress: OperationProgress,
): Promise<void> {
  const target = call.at(copy.to);
  const targetInfo = await networkInfo(target);
  const token = await target.start({ api: pushTokenRequest(image.fingerprint, copy) });
  try {
    const op = await call.start({
      api: pushExportRequest(image.fingerprint, {
        url: targetInfo.servers[0] ?? '',
        certificate: targetInfo.certificate,
        secret: String(token.metadata.secret),
        project: copy.to.project,
      }),
    });
    await call.wait(op.id, { onRunning: progress.onRunning });
  } finally {
    await target.cleanup({ api: cancelRequest(token.id) }).catch(() => undefined);
  }
}

// Moves the image with the transfer of the copy's mode.
async function transfer(
  call: Call,
  image: Image,
  ref: string,
  copy: CheckedCopy,
  progress: OperationProgress,
): Promise<void> {
  if (copy.mode === 'pull') return pull(call, image, ref, copy, progress);
  if (copy.mode === 'push') return push(call, image, copy, progress);
  return call.relay({
    fingerprint: image.fingerprint,
    to: copy.to,
    public: copy.public,
    filename: image.filename,
    onProgress: copy.onProgress && progress.report,
  });
}

/**
 * Copies an image between remotes in any mode and resolves to the copy on the target. A target
 * that has the image already keeps it, in every mode (the daemons accept such a pull, and refuse
 * a push or a relay with a conflict). When the call is aborted, the moved aliases are put back
 * and an image that the target did not have is deleted again.
 */
export async function copyImage(
  call: Call,
  ref: unknown,
  targetRemote: unknown,
  flags: CopyFlags,
): Promise<Image> {
  const name = checkRef(ref);
  const copy = checkCopy(call.target, targetRemote, flags);
  const image = await infoImage(call, name, copy.type);
  const target = call.at(copy.to);
  const had = await found(target.send({ api: imageRequest(image.fingerprint) }));
  const aliases = [...copy.aliases, ...(copy.copyAliases ? image.aliases.map((a) => a.name) : [])];
  const moved: ImageAlias[] = [];
  const undo = async (send: <T>(request: Request<T>) => Promise<T>): Promise<void> => {
    await restoreAliases(send, moved);
    if (!had) await send({ api: deleteRequest(image.fingerprint, true) });
  };
  return target.undoOnAbort(undo, async () => {
    const progress = operationProgress('copy', copy.onProgress);
    await transfer(call, image, name, copy, progress).catch((error: unknown) => {
      if (!had || !(error instanceof ConflictError)) throw error;
    });
    progress.done();
    await pointAliases(target, image.fingerprint, aliases, moved);
    if (copy.profiles !== undefined)
      return writeImage(target, image.fingerprint, replaceChange({ profiles: copy.profiles }));
    return (await getImage(target, image.fingerprint)).data;
  });
}
