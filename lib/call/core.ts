import { LxcError, ValidationError } from '../errors.js';
import type { RemoteDirectory } from '../remotes/directory.js';
import type { Server } from '../requests/server.js';
import type { Transport } from '../transport/transport.js';
import { checkCallOptions, checkProject, checkRemote } from '../validate.js';
import { Call } from './call.js';
import { interruption, startDeadline } from './deadline.js';
import type { KeyedLocks } from './locks.js';
import type { Scheduler } from './scheduler.js';

/** Receives a call's typed result; the call resolves to what it returns (it may be async). */
export type Mutator<T, R> = (value: T) => R | Promise<R>;

/** Options every call accepts. */
export interface CallOptions {
  /** Project for this call; defaults to the client's `project`. */
  project?: string | undefined;
  /**
   * Milliseconds the whole call may take, counted from the moment it is made (waiting for a
   * concurrency slot included); then it stops with a {@link TimeoutError}. At most 2147483647.
   */
  timeout?: number | undefined;
  /**
   * Aborting stops the call ({@link AbortError}): a running process is killed or a request
   * destroyed, and a server-side operation cancelled.
   */
  signal?: AbortSignal | undefined;
}

/** Client-wide defaults that every call starts from. */
export interface Defaults {
  remote: string;
  project?: string | undefined;
  timeout?: number | undefined;
}

/** What one client's calls share: its transport, remotes, concurrency limit and write locks. */
export interface CoreParts {
  transport: Transport;
  remotes: RemoteDirectory;
  scheduler: Scheduler;
  locks: KeyedLocks;
  defaults: Defaults;
  /** `GET /1.0` of each remote, once read. */
  servers: Map<string, Server>;
}

// Any failure inside the library becomes an LxcError that keeps the original as its cause.
function asLxcError(error: unknown, signal: AbortSignal, remote: string): LxcError {
  if (error instanceof LxcError) return error;
  const interrupted = interruption(signal, { remote, cause: error });
  if (interrupted) return interrupted;
  const message = error instanceof Error ? error.message : String(error);
  return new LxcError(message, { remote, cause: error });
}

/** The shared state of one client, and the one helper every public method goes through. */
export class Core {
  constructor(readonly parts: CoreParts) {}

  /**
   * Runs one public call: lets a mutator stand in the options slot, checks the options,
   * applies the client's defaults, starts the call's deadline, runs `work`, turns any failure
   * into an {@link LxcError}, and applies the mutator (whose own errors pass through).
   */
  async call<O extends CallOptions, T, R>(
    remote: string | undefined,
    optionsOrMutator: O | Mutator<T, R> | undefined,
    mutator: Mutator<T, R> | undefined,
    work: (call: Call, options: O) => Promise<T>,
  ): Promise<R> {
    const [options, mut] =
      typeof optionsOrMutator === 'function'
        ? [undefined, optionsOrMutator]
        : [optionsOrMutator, mutator];
    const given: unknown = options; // plain JavaScript callers may pass anything
    if (given !== undefined && (typeof given !== 'object' || given === null))
      throw new ValidationError('options', 'must be an object');
    const mutatorGiven: unknown = mut;
    if (mutatorGiven !== undefined && typeof mutatorGiven !== 'function')
      throw new ValidationError('mutator', 'must be a function');
    const opts = options ?? ({} as O);
    checkCallOptions(opts);
    const { defaults } = this.parts;
    const project = opts.project ?? defaults.project;
    const target = {
      remote: checkRemote(remote === undefined || remote === '' ? defaults.remote : remote),
      project: project === undefined ? undefined : checkProject(project),
    };
    const timeout = opts.timeout ?? defaults.timeout;
    const deadline = startDeadline(timeout, opts.signal);
    const bounded = timeout !== undefined || opts.signal !== undefined;
    let value: T;
    try {
      value = await work(new Call(this.parts, target, deadline.signal, bounded), opts);
    } catch (error) {
      throw asLxcError(error, deadline.signal, target.remote);
    } finally {
      deadline.dispose();
    }
    return mut ? await mut(value) : (value as unknown as R);
  }
}
