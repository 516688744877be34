import type { Call } from '../call/call.js';
import type { Core, Tail } from '../call/core.js';

/**
 * A public call: the remote first, then its arguments, then options and a mutator (which may
 * stand in the options slot). It resolves to the mutator's value, or to `T` without one.
 */
export type ApiCall<A extends unknown[], O, T> = <R = T>(
  remote: string | undefined,
  ...args: [...A, ...Tail<O, T, R>]
) => Promise<NoInfer<R>>;

/**
 * The public calls of a spec, an interface that says each call as `(args…, options): result`:
 * `info(ref: string, options: CallOptions): Image` becomes
 * `info(remote, ref, options?, mutator?): Promise<Image>`.
 */
export type ApiCalls<S> = {
  readonly [K in keyof S]: S[K] extends (...args: [...infer A, infer O]) => infer T
    ? ApiCall<A, O, T>
    : never;
};

/** What each call of a spec does: its flow, given the call in flight, its options and arguments. */
export type Works<S> = {
  readonly [K in keyof S]: S[K] extends (...args: [...infer A, infer O]) => infer T
    ? (call: Call, options: O, ...args: A) => Promise<T>
    : never;
};

/**
 * Makes the public calls of a spec from what each one does: one table, one line a call. The
 * number of a call's arguments is its work's, less the call and the options.
 */
export function defineCalls<S>(core: Core, works: Works<S>): ApiCalls<S> {
  const calls: Record<string, unknown> = {};
  for (const [name, work] of Object.entries<Work>(works as Record<string, Work>)) {
    const arity = Math.max(0, work.length - 2);
    calls[name] = (remote: string | undefined, ...rest: unknown[]) =>
      core.call(remote, rest.slice(arity) as Tail<object, unknown, unknown>, (call, options) =>
        work(call, options, ...rest.slice(0, arity)),
      );
  }
  return calls as ApiCalls<S>;
}

type Work = (call: Call, options: object, ...args: unknown[]) => Promise<unknown>;
