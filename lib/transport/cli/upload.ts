import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LxcError, ParseError } from '../../wire/errors.js';
import { sha256Files } from '../../wire/hash.js';
import {
  projectFlag,
  type Send,
  type Stored,
  type Target,
  type Upload,
} from '../../wire/request.js';
import { EPOCH, storedBy } from '../../requests/import.js';
import { runUndo } from '../../operation/undo.js';
import { sweepStored } from './orphan.js';
import type { Runner } from './runner.js';
import { cutUnlessSent } from './upload-abort.js';
import { watchUpload } from './upload-progress.js';
import { runWatched } from './watchdog.js';

// Spools a stream into `dir/upload` (the client imports files only).
async function spool(
  stream: NodeJS.ReadableStream,
  dir: string,
  signal: AbortSignal,
): Promise<string> {
  const file = join(dir, 'upload');
  try {
    await pipeline(stream, createWriteStream(file), { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new LxcError(
      `could not spool the image to a temporary file: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return file;
}

// The argv of `image import` for `files`.
function importArgs(target: Target, upload: Upload, files: readonly string[]): string[] {
  const args = ['image', 'import', ...files, `${target.remote}:`];
  for (const [key, value] of Object.entries(upload.properties)) args.push(`${key}=${value}`);
  if (upload.public) args.push('--public');
  args.push(...projectFlag(target));
  return args;
}

// What the client says it imported, when its operation was not seen.
function printed(stdout: string, remote: string): Stored {
  const fingerprint = /fingerprint: ([0-9a-f]{64})/.exec(stdout)?.[1];
  if (!fingerprint)
    throw new ParseError('no fingerprint in the output of image import', stdout, { remote });
  // an upload that succeeded stored a new image (the daemons refuse one of an image they have)
  return { fingerprint, since: EPOCH };
}

// An upload that expected a fingerprint and stored other data: that image is deleted again.
async function expected(
  stored: Stored,
  upload: Upload,
  { send, target }: { send: Send; target: Target },
): Promise<Stored> {
  const wanted = upload.fingerprint;
  if (wanted === undefined || stored.fingerprint === wanted) return stored;
  const undo = [{ deleteImage: stored.fingerprint, since: stored.since }];
  await runUndo(send, target, undo).catch(() => undefined);
  throw new LxcError(
    `the uploaded data has fingerprint ${stored.fingerprint}, not ${wanted}: its image was deleted`,
    { remote: target.remote },
  );
}

/**
 * Uploads with `lxc image import`. The client runs in an empty private directory with absolute
 * source paths, so that no `key=value` property can name a local file for it to upload.
 */
export async function uploadImage(
  { run, send }: { run: Runner; send: Send },
  target: Target,
  upload: Upload,
  signal: AbortSignal,
): Promise<Stored> {
  const { source } = upload;
  if (source.kind === 'stream' && source.contentType?.startsWith('multipart/'))
    throw new LxcError('the CLI imports files: a multipart export stream cannot be imported');
  const cwd = await mkdtemp(join(tmpdir(), 'lxc-images-import-'));
  try {
    const files =
      source.kind === 'files' ? source.files : [await spool(source.stream, cwd, signal)];
    const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
    const total = sizes.reduce((a, b) => a + b, 0);
    const watch = upload.onProgress ? watchUpload(total, upload.onProgress) : undefined;
    // an abort cuts the client only while the image cannot have been sent whole
    const cut = cutUnlessSent(signal, total);
    const onSpawn = (pid: number): void => {
      cut.onSpawn(pid);
      watch?.onSpawn(pid);
    };
    const options = { signal: cut.signal, cwd, remote: target.remote, onSpawn };
    let watched;
    try {
      watched = await runWatched({
        run,
        send,
        args: importArgs(target, upload, files),
        options,
        watch: target,
        undo: 'stored',
        orphan: () => sweepStored(send, target, () => sha256Files(...files)),
      });
    } finally {
      watch?.stop(watched !== undefined);
      cut.dispose();
    }
    const stored = watched.operation
      ? storedBy(watched.operation, target.remote)
      : printed(watched.result?.stdout ?? '', target.remote);
    return await expected(stored, upload, { send, target });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
