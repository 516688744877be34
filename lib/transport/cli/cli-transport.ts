import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Send } from '../../call/operation.js';
import { LxcError, ParseError } from '../../errors.js';
import { importedFingerprint, undoImport } from '../../requests/import.js';
import { projectFlag, type Request, type Target } from '../../requests/request.js';
import { progressLines } from '../../progress.js';
import { secretValues } from '../../redact.js';
import { parseRemoteList, REMOTE_LIST_ARGS } from '../../remotes/directory.js';
import type { Remote } from '../../schemas.js';
import type { Download, Relay, Reply, Transport, Upload } from '../transport.js';
import { parseQueryOutput, queryArgs } from './query.js';
import type { Runner } from './runner.js';
import { watchUpload } from './upload-progress.js';
import { sweepUpload } from './orphan.js';
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
      {
        cause: error,
      },
    );
  }
  return file;
}

/**
 * The CLI transport: every request is an `lxc`/`incus` process, `lxc query` for REST requests
 * and the client's own commands for what only they serve.
 */
export class CliTransport implements Transport {
  readonly name = 'cli';

  /**
   * @param run the runner, the only thing that spawns.
   * @param localProtocol `lxd` or `incus`: the protocol of the built-in `local` remote.
   */
  constructor(
    private readonly run: Runner,
    private readonly localProtocol: string,
  ) {}

  /** Lists the remotes with `remote list --format=json`. */
  async listRemotes(signal: AbortSignal): Promise<Remote[]> {
    const { stdout } = await this.run(REMOTE_LIST_ARGS, { signal });
    return parseRemoteList(stdout, this.localProtocol);
  }

  /** Sends a request: its CLI form when it has one, else `lxc query`. */
  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    const options = { signal, remote: target.remote };
    if (request.cli) {
      const { stdout } = await this.run([...request.cli.args, ...projectFlag(target)], options);
      return { data: request.cli.parse(stdout) };
    }
    if (!request.api) throw new LxcError('a request needs an API or a CLI form');
    const secrets = secretValues(request.api.body);
    const { stdout } = await this.run(queryArgs(target, request.api), { ...options, secrets });
    return { data: parseQueryOutput(request.api, stdout, target.remote) };
  }

  /**
   * Uploads with `lxc image import`. The client runs in an empty private directory with absolute
   * source paths, so that no `key=value` property can name a local file for it to upload.
   */
  async upload(target: Target, upload: Upload, signal: AbortSignal): Promise<string> {
    const cwd = await mkdtemp(join(tmpdir(), 'lxc-images-import-'));
    try {
      const files =
        upload.source.kind === 'files'
          ? upload.source.files
          : [await spool(upload.source.stream, cwd, signal)];
      const args = ['image', 'import', ...files, `${target.remote}:`];
      for (const [key, value] of Object.entries(upload.properties)) args.push(`${key}=${value}`);
      if (upload.public) args.push('--public');
      args.push(...projectFlag(target));
      const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
      const watch = upload.onProgress
        ? watchUpload(
            sizes.reduce((a, b) => a + b, 0),
            upload.onProgress,
          )
        : undefined;
      const run = { signal, cwd, remote: target.remote, onSpawn: watch?.onSpawn };
      const since = Date.now();
      const sweep = (): Promise<void> => sweepUpload(this.direct, target, files, since);
      let outcome;
      try {
        outcome = await runWatched(this.run, this.direct, args, run, target, undoImport, sweep);
      } finally {
        watch?.stop(outcome !== undefined);
      }
      if (outcome.operation) return importedFingerprint(outcome.operation, target.remote);
      const stdout = outcome.result?.stdout ?? '';
      const fingerprint = /fingerprint: ([0-9a-f]{64})/.exec(stdout)?.[1];
      if (!fingerprint)
        throw new ParseError('no fingerprint in the output of image import', stdout, {
          remote: target.remote,
        });
      return fingerprint;
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }

  /** Exports with `lxc image export` into the (empty) directory. */
  async download(target: Target, download: Download, signal: AbortSignal): Promise<string[]> {
    const args = [
      'image',
      'export',
      `${target.remote}:${download.fingerprint}`,
      `${download.dir}/`,
      ...projectFlag(target),
    ];
    await this.run(args, {
      signal,
      remote: target.remote,
      onLine: progressLines('export', download.onProgress),
    });
    return readdir(download.dir);
  }

  /** Copies with `lxc image copy --mode=relay`, watching the upload's operation on the target. */
  async relay(from: Target, relay: Relay, signal: AbortSignal): Promise<void> {
    const args = [
      'image',
      'copy',
      `${from.remote}:${relay.fingerprint}`,
      `${relay.to.remote}:`,
      '--mode=relay',
      ...(relay.public ? ['--public'] : []),
      ...projectFlag(from),
      ...(relay.to.project === undefined ? [] : [`--target-project=${relay.to.project}`]),
    ];
    const run = { signal, remote: from.remote, onLine: progressLines('copy', relay.onProgress) };
    await runWatched(this.run, this.direct, args, run, relay.to, undoImport);
  }

  // Sends a request at once (operation waits and cleanup inside a transfer).
  private readonly direct: Send = (target, request, signal) => this.send(target, request, signal);
}
