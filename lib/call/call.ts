import type { Request, Send, Target } from '../wire/request.js';
import type { Remote } from '../wire/schemas.js';
import { serverRequest, type Server } from '../requests/server.js';
import type { KeyedLocks } from './locks.js';
import type { RemoteDirectory } from './remotes.js';

/** What one client's calls share: the send seam with its policies, and what it has read once. */
export interface CallParts {
  /** The client's seam: its transport wrapped in the policies (locks, slots, lifetimes). */
  send: Send;
  /** `cli` or `rest`. */
  transport: 'cli' | 'rest';
  remotes: RemoteDirectory;
  /** `GET /1.0` of each remote, once read. */
  servers: Map<string, Server>;
  /** The client's locks: requests that write, and whole flows ({@link Call.exclusive}). */
  locks: KeyedLocks;
}

/**
 * One public call in flight: its target, its deadline, and the one way to send. Every request
 * goes through the client's seam, and stops when the deadline fires unless it says otherwise
 * (its `lifetime`).
 */
export class Call {
  constructor(
    private readonly parts: CallParts,
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
    return this.parts.transport;
  }

  /** The seam, target and signal, for the operation lifecycle's functions. */
  get context(): { send: Send; target: Target; signal: AbortSignal } {
    return { send: this.parts.send, target: this.target, signal: this.signal };
  }

  /** The same call (same deadline), aimed elsewhere. */
  at(target: Target): Call {
    return new Call(this.parts, target, this.signal, this.bounded);
  }

  /** Sends a request through the client's seam and resolves to its data. */
  async send<T>(request: Request<T>): Promise<T> {
    return (await this.parts.send(this.target, request, this.signal)).data;
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
   * Runs `task` while no other task of the client holds `key` on the call's remote and project
   * (a flow that must not run twice at once, such as putting one image on a remote).
   */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const { remote, project } = this.target;
    return this.parts.locks.run(`flow\0${remote}\0${project ?? ''}\0${key}`, task, this.signal);
  }

  /** True when the call's remote has an API extension. */
  async has(extension: string): Promise<boolean> {
    return (await this.server()).api_extensions.includes(extension);
  }
}
