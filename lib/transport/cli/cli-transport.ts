import { readdir } from 'node:fs/promises';
import { LxcError } from '../../wire/errors.js';
import { progressLines } from '../../wire/progress.js';
import { secretValues } from '../../wire/redact.js';
import {
  projectFlag,
  type ApiRequest,
  type Download,
  type Relay,
  type Reply,
  type Request,
  type Send,
  type Stored,
  type Target,
} from '../../wire/request.js';
import { storedBy } from '../../requests/import.js';
import type { Transport } from '../transport.js';
import { parseQueryOutput, queryArgs } from './query.js';
import type { Runner } from './runner.js';
import { uploadImage } from './upload.js';
import { sweepStored } from './orphan.js';
import { spoolFiles } from './spool.js';
import { runWatched } from './watchdog.js';

/**
 * The CLI transport: every request is an `lxc`/`incus` process, `lxc query` for REST requests
 * and the client's own commands for what only they serve.
 */
export class CliTransport implements Transport {
  readonly name = 'cli';

  /** @param run the runner, the only thing that spawns. */
  constructor(private readonly run: Runner) {}

  /** Sends a request: a transfer with the client's image commands, its CLI form, or `lxc query`. */
  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    let data: unknown;
    if (request.upload) data = await uploadImage(this.tools, target, request.upload, signal);
    else if (request.download) data = await this.download(target, request.download, signal);
    else if (request.relay) data = await this.relay(target, request.relay, signal);
    else if (request.spool) {
      const download = this.download.bind(this);
      data = await spoolFiles({ download, target, signal }, request.spool);
    } else if (request.cli) {
      const args = [...request.cli.args, ...projectFlag(target)];
      const { stdout } = await this.run(args, { signal, remote: target.remote });
      return { data: request.cli.parse(stdout) };
    } else if (request.api) return { data: await this.query(target, request.api, signal) };
    else throw new LxcError('a request needs an API or a CLI form');
    return { data: data as T };
  }

  // Runs `lxc query` for a REST request.
  private async query<T>(target: Target, api: ApiRequest<T>, signal: AbortSignal): Promise<T> {
    const secrets = secretValues(api.body);
    const { stdout } = await this.run(queryArgs(target, api), {
      signal,
      remote: target.remote,
      secrets,
    });
    return parseQueryOutput(api, stdout, target.remote);
  }

  // Exports with `lxc image export` into the (empty) directory.
  private async download(
    target: Target,
    download: Download,
    signal: AbortSignal,
  ): Promise<string[]> {
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

  // Copies with `lxc image copy --mode=relay`, watching the upload's operation on the target.
  private async relay(
    from: Target,
    relay: Relay,
    signal: AbortSignal,
  ): Promise<Stored | undefined> {
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
    const options = {
      signal,
      remote: from.remote,
      onLine: progressLines('copy', relay.onProgress),
    };
    const watched = await runWatched({
      run: this.run,
      send: this.direct,
      args,
      options,
      watch: relay.to,
      undo: 'stored',
      orphan: () => sweepStored(this.direct, relay.to, relay.fingerprint),
    });
    // the client skips the upload when the target has the image: then it stored nothing
    return watched.operation ? storedBy(watched.operation, relay.to.remote) : undefined;
  }

  // Sends a request at once (operation waits and cleanup inside a transfer).
  private readonly direct: Send = (target, request, signal) => this.send(target, request, signal);

  // What a transfer needs: the runner, and the direct send.
  private get tools(): { run: Runner; send: Send } {
    return { run: this.run, send: this.direct };
  }
}
