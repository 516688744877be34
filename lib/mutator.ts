/** Receives a call's typed result; the call resolves to what it returns (it may be async). */
export type Mutator<T, R> = (value: T) => R | Promise<R>;

/** Options every call accepts. */
export interface CallOptions {
  /** Project for this call; defaults to the client's `project`. */
  project?: string | undefined;
  /** Milliseconds before the spawned process is killed ({@link TimeoutError}). */
  timeout?: number | undefined;
  /** Aborting kills the spawned process ({@link AbortError}). */
  signal?: AbortSignal | undefined;
}

/** Lets a mutator stand in the options slot: returns `[options, mutator]`. */
export function splitTail<O extends object, T, R>(
  optionsOrMutator: O | Mutator<T, R> | undefined,
  mutator: Mutator<T, R> | undefined,
): [O | undefined, Mutator<T, R> | undefined] {
  if (typeof optionsOrMutator === 'function') return [undefined, optionsOrMutator];
  return [optionsOrMutator, mutator];
}

/** Applies the mutator, if any, to a result. */
export async function finish<T, R>(value: T, mutator: Mutator<T, R> | undefined): Promise<R> {
  return mutator ? await mutator(value) : (value as unknown as R);
}
