import type { Call } from '../call/call.js';
import { LxcError, RemoteError } from '../wire/errors.js';
import { operationProgress, type ProgressHandler } from '../wire/progress.js';
import type { Spool, Stored, Target } from '../wire/request.js';
import type { TransferHow } from '../wire/rollout.js';
import type { Image } from '../wire/schemas.js';
import type { SyncMode } from '../wire/checks-sync.js';
import { convergeGuard } from '../requests/converge.js';
import { uploadRequest } from '../requests/import.js';
import { alreadyThere, transfer } from './copy.js';

/** One image on its way from a source remote to one target. */
export interface Moving {
  /** The call, aimed at the source remote. */
  source: Call;
  /** The image on the source, and how it was named there. */
  image: Image;
  ref: string;
  to: Target;
  mode: SyncMode;
  public: boolean;
  autoUpdate: boolean;
  onProgress: ProgressHandler | undefined;
  /** Receives the target's time at which the transfer began there, as soon as it is known. */
  onSince: (since: Date) => void;
  /** The image read once for a relay to many; without it, a relay streams from the source. */
  spool?: (() => Promise<Spool>) | undefined;
}

/** What a move did: what it stored on the target (nothing when the target had the image), and how. */
export interface Moved {
  stored: Stored | undefined;
  how: TransferHow;
}

const UNREACHABLE =
  /unable to connect|isn't listening on the network|connection refused|no route to host|network is unreachable|i\/o timeout/i;

// True when a pull failed because the target cannot reach the source (a relay may still do).
function unreachable(error: unknown): boolean {
  return (
    error instanceof RemoteError || (error instanceof LxcError && UNREACHABLE.test(error.message))
  );
}

// Uploads the spooled image to the target; the target refuses data of another fingerprint.
async function uploadSpool(moving: Moving, spool: Spool): Promise<Stored | undefined> {
  const { image } = moving;
  const upload = uploadRequest({
    source: spool.source(),
    properties: image.properties, // as a pull copies them
    public: moving.public,
    fingerprint: image.fingerprint,
    filename: image.filename,
    onProgress: moving.onProgress,
  });
  return moving.source.at(moving.to).send(upload).catch(alreadyThere);
}

// One move in `mode` (not `auto`).
async function moveBy(
  moving: Moving,
  mode: 'pull' | 'push' | 'relay',
): Promise<Stored | undefined> {
  if (mode === 'relay' && moving.spool) {
    const stored = await uploadSpool(moving, await moving.spool());
    if (stored) moving.onSince(stored.since);
    return stored;
  }
  const { source, image, ref, to, onProgress } = moving;
  const progress = operationProgress('copy', onProgress);
  const copy = {
    to,
    mode,
    aliases: [],
    copyAliases: false,
    autoUpdate: mode === 'pull' && moving.autoUpdate,
    public: moving.public,
    profiles: undefined,
    type: image.type,
    onProgress,
  };
  const stored = await transfer({
    call: source,
    image,
    ref,
    copy,
    progress,
    onSince: moving.onSince,
  });
  progress.done();
  return stored;
}

/**
 * Puts the source's image, with its properties, on one target: `pull` (the target downloads
 * it), `push` (the source uploads it), `relay` (through this client), or `auto`: a pull, and a
 * relay when the target cannot reach the source. A target that has the image keeps its own
 * (`stored` is undefined).
 */
export async function moveImage(moving: Moving): Promise<Moved> {
  const moved = await moveAuto(moving);
  // a push leaves the source's properties behind (a pull and this client's relay carry them)
  if (moved.how === 'push' && moved.stored) {
    const { image } = moving;
    const guard = convergeGuard(image.fingerprint, { properties: image.properties });
    await moving.source.at(moving.to).send({ guard });
  }
  return moved;
}

// The move in the asked mode; `auto`: a pull, or a relay when the target cannot reach the source.
async function moveAuto(moving: Moving): Promise<Moved> {
  if (moving.mode !== 'auto')
    return { stored: await moveBy(moving, moving.mode), how: moving.mode };
  try {
    return { stored: await moveBy(moving, 'pull'), how: 'pull' };
  } catch (error) {
    if (moving.source.signal.aborted || !unreachable(error)) throw error;
  }
  return { stored: await moveBy(moving, 'relay'), how: 'relay' };
}
