import type { Request, Target } from '../requests/request.js';
import { serverRequest, type Server } from '../requests/server.js';
import type { Operation, Remote } from '../schemas.js';
import type { Download, Relay, Reply, Upload } from '../transport/transport.js';
import type { CoreParts } from './core.js';
import { waitOrCancel, withCleanup, type Send, type Undo, type WaitFor } from './operation.js';

/**
 * One public call in flight: its target, its deadline, and the way to the transport. Every
 * request goes through the client's concurrency limit and stops when the deadline fires.
 */
export class Call {
  constructor(
    private readonly parts: CoreParts,
    /** The remote and project the call is aimed at. */
    readonly target: Target,
    /** Fires on the call's timeout or its caller's abort. */
    readonly signal: AbortSignal,
    /** True when the call has a `timeout` or a `signal` (it must not share work with others). */
    readonly bounded = false,
  ) {}

  /** The remote the call is aimed at. */
  get remote(): string {
    return this.target.remote;
  }

  /** The client's transport: `cli` or `rest`. */
  get transport(): 'cli' | 'rest' {
    return this.parts.transport.name;
  }

  /** The same call (same deadline), aimed elsewhere. */
  at(target: Target): Call {
    return new Call(this.parts, target, this.signal, this.bounded);
  }

  /** Sends a request (when a concurrency slot is free) and resolves to its data and ETag. */
  fetch<T>(request: Request<T>): Promise<Reply<T>> {
    const { scheduler, transport } = this.parts;
    return scheduler.run(() => transport.send(this.target, request, this.signal), this.signal);
  }

  /** Sends a request and resolves to its data. */
  async send<T>(request: Request<T>): Promise<T> {
    return (await this.fetch(request)).data;
  }

  /** True when the remote is served only by the CLI's image commands (simplestreams, public). */
  isPublic(): Promise<boolean> {
    return this.parts.remotes.isPublic(this.target.remote, this.signal);
  }

  /** The call's remote as the client's config describes it. */
  remoteInfo(): Promise<Remote> {
    return this.parts.remotes.get(this.target.remote, this.signal);
  }

  /** What `GET /1.0` says about the call's remote (read once per client and remote). */
  async server(): Promise<Server> {
    const known = this.parts.servers.get(this.target.remote);
    if (known) return known;
    const server = await this.send({ api: serverRequest() });
    this.parts.servers.set(this.target.remote, server);
    return server;
  }

  /**
   * Waits for an operation of this call. When the call is aborted, cancels the operation (or,
   * when it cannot be cancelled, lets it end and runs `undo`) before rejecting.
   */
  async wait(id: string, options?: WaitFor, undo?: Undo): Promise<Operation> {
    return waitOrCancel(this.sender, this.unscheduled, this.target, id, this.signal, options, undo);
  }

  /**
   * Runs the rest of a call that has already changed its remote. When the call times out or is
   * aborted before `rest` ends, runs `undo` at once (its requests skip the concurrency limit and
   * run under {@link withCleanup}'s deadline), so that nothing the call did stays behind, and
   * rejects.
   */
  async undoOnAbort<T>(
    undo: (send: <U>(request: Request<U>) => Promise<U>) => Promise<void>,
    rest: () => Promise<T>,
  ): Promise<T> {
    try {
      return await rest();
    } catch (error) {
      if (this.signal.aborted)
        await undo((request) => this.cleanup(request)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Sends a request that starts a server-side operation (or a token). Once a slot is free it is
   * not cut short by the call's abort (only by {@link withCleanup}'s deadline): cut mid-flight,
   * the daemon would create an operation whose id nobody knows, left to run. The caller then
   * waits for the operation or cancels it, as the call's signal says.
   */
  async start<T>(request: Request<T>): Promise<T> {
    const { scheduler, transport } = this.parts;
    return withCleanup(async (signal) => {
      const send = (): Promise<Reply<T>> => transport.send(this.target, request, signal);
      return (await scheduler.run(send, this.signal)).data;
    });
  }

  /**
   * Sends a request that cleans up after the call, even once the call is aborted: at once (not
   * through the concurrency limit), under {@link withCleanup}'s deadline.
   */
  async cleanup<T>(request: Request<T>): Promise<T> {
    return withCleanup(
      async (signal) => (await this.unscheduled(this.target, request, signal)).data,
    );
  }

  /** Runs `task` while no other call of this client writes to `key` on this remote. */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const scope = `${this.target.remote}\0${this.target.project ?? ''}\0${key}`;
    return this.parts.locks.run(scope, task, this.signal);
  }

  /** Uploads image data to this call's target; resolves to the fingerprint. */
  upload(upload: Upload): Promise<string> {
    const { scheduler, transport } = this.parts;
    return scheduler.run(() => transport.upload(this.target, upload, this.signal), this.signal);
  }

  /** Exports an image of this call's target into a directory; resolves to the file names. */
  download(download: Download): Promise<string[]> {
    const { scheduler, transport } = this.parts;
    return scheduler.run(() => transport.download(this.target, download, this.signal), this.signal);
  }

  /** Copies an image from this call's target to another through this client. */
  relay(relay: Relay): Promise<void> {
    const { scheduler, transport } = this.parts;
    return scheduler.run(() => transport.relay(this.target, relay, this.signal), this.signal);
  }

  // Sends through the concurrency limit, for operation waits.
  private readonly sender: Send = (target, request, signal) =>
    this.parts.scheduler.run(() => this.parts.transport.send(target, request, signal), signal);

  // Sends at once: cleanup after an abort must not queue behind other calls.
  private readonly unscheduled: Send = (target, request, signal) =>
    this.parts.transport.send(target, request, signal);
}
