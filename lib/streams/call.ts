import { splitTail, type Mutator } from '../call/core.js';
import { LxcError, ValidationError } from '../wire/errors.js';

export type { Mutator } from '../call/core.js';

/**
 * Runs one call of the streams API with the library's calling convention: a mutator may stand
 * in the options slot, options must be an object, any failure becomes an {@link LxcError} that
 * keeps its cause, and a mutator's own error passes through.
 */
export async function streamsCall<O extends object, T, R>(
  optionsOrMutator: O | Mutator<T, R> | undefined,
  mutator: Mutator<T, R> | undefined,
  work: (options: Partial<O>) => Promise<T>,
): Promise<R> {
  const [options, mut] = splitTail<O, T, R>([optionsOrMutator, mutator]);
  if (Array.isArray(options)) throw new ValidationError('options', 'must be an object');
  let value: T;
  try {
    value = await work(options ?? {});
  } catch (error) {
    if (error instanceof LxcError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LxcError(message, { cause: error });
  }
  return mut ? await mut(value) : (value as unknown as R);
}
