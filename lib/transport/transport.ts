import type { Reply, Request, Target } from '../wire/request.js';
import type { Remote } from '../wire/schemas.js';

/**
 * The one seam between the calls and whatever talks to the daemon: the CLI transport (it spawns
 * `lxc`/`incus`) or the REST transport (it talks to the daemon's socket or HTTPS address). A
 * transport sends one request of any kind (a REST or CLI request, or a transfer of image data)
 * and stops, cancelling what it started on the server, when `signal` fires. The client wraps it
 * in its policies (locks, slots, lifetimes).
 */
export interface Transport {
  /** `cli` or `rest`. */
  readonly name: 'cli' | 'rest';
  /** Sends one request and resolves to its parsed result. */
  send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>>;
}

/** Finds a remote of the client's config by name (the REST transport resolves endpoints with it). */
export interface RemoteLookup {
  get(name: string, signal: AbortSignal): Promise<Remote>;
}
