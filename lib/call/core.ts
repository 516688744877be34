import { LxcError, ValidationError } from '../wire/errors.js';
import { interruption, startDeadline } from '../wire/deadline.js';
import { checkCallOptions, checkProject, checkRemote } from '../wire/validate.js';
import { Call, type CallParts } from './call.js';

/** Receives a call's typed result; the call resolves to what it returns (it may be async). */
export type Mutator<T, R> = (value: T) => R | Promise<R>;

/**
 * The tail of every call: its options, then a mutator, which may also stand in the options
 * slot. `lxc.images.info('local', fp, image => image.size)`.
 */
export type Tail<O, T, R> = [
  options?: O | Mutator<T, R> | undefined,
  mutator?: Mutator<T, R> | undefined,
];

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

/** What one client's calls share, and its defaults. */
export interface CoreParts extends CallParts {
  defaults: Defaults;
}

// Any failure inside the library becomes an LxcError that keeps the original as its cause.
function asLxcError(error: unknown, signal: AbortSignal, remote: string): LxcError {
  if (error instanceof LxcError) return error;
  const interrupted = interruption(signal, { remote, cause: error });
  if (interrupted) return interrupted;
  const message = error instanceof Error ? error.message : String(error);
  return new LxcError(message, { remote, cause: error });
}

/** Splits a call's tail into its options and its mutator, checking both (before anything runs). */
export function splitTail<O, T, R>(
  tail: Tail<O, T, R>,
): [O | undefined, Mutator<T, R> | undefined] {
  const [first, second] = tail;
  const [options, mutator] =
    typeof first === 'function' ? [undefined, first as Mutator<T, R>] : [first, second];
  const given: unknown = options; // plain JavaScript callers may pass anything
  if (given !== undefined && (typeof given !== 'object' || given === null))
    throw new ValidationError('options', 'must be an object');
  const mutatorGiven: unknown = mutator;
  if (mutatorGiven !== undefined && typeof mutatorGiven !== 'function')
    throw new ValidationError('mutator', 'must be a function');
  return [options, mutator];
}

/** The shared state of one client, and the one helper every public method goes through. */
export class Core {
  constructor(readonly parts: CoreParts) {}

  /**
   * Runs one public call: splits its tail, checks the options, applies the client's defaults,
   * starts the call's deadline, runs `work`, turns any failure into an {@link LxcError}, and
   * applies the mutator (whose own errors pass through).
   */
  async call<O extends CallOptions, T, R>(
    remote: string | undefined,
    tail: Tail<O, T, R>,
    work: (call: Call, options: O) => Promise<T>,
  ): Promise<R> {
    const [options, mutator] = splitTail(tail);
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
    return mutator ? await mutator(value) : (value as unknown as R);
  }
}
