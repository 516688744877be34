import type { Policy, Send } from '../wire/request.js';
import { lifetimes } from '../operation/lifetime.js';
import { guarded } from './guard.js';
import type { KeyedLocks } from './locks.js';
import type { Scheduler } from './scheduler.js';

/**
 * The policy of the client's concurrency limit: a request waits for a slot (and stops waiting
 * when its call is aborted); a `cleanup` request goes at once, never queued behind others.
 */
export function scheduled(scheduler: Scheduler): Policy {
  return (next) => (target, request, signal) =>
    request.lifetime === 'cleanup'
      ? next(target, request, signal)
      : scheduler.run(() => next(target, request, signal), signal);
}

/** Wraps `send` in `policies`, the first outermost: `compose(a, b)(send)` is `a(b(send))`. */
export function compose(...policies: Policy[]): (send: Send) => Send {
  return (send) => policies.reduceRight((next, policy) => policy(next), send);
}

/**
 * A client's seam: its transport's send wrapped, once, in the policies every request goes
 * through, outermost first: write locks and guarded writes, the concurrency limit (a request
 * waits for its slot under its call's signal), then the request's lifetime.
 */
export function clientSeam(send: Send, limits: { scheduler: Scheduler; locks: KeyedLocks }): Send {
  return compose(guarded(limits.locks), scheduled(limits.scheduler), lifetimes)(send);
}
