import type { Policy } from '../wire/request.js';
import { uncut, withCleanup } from './cleanup.js';

/**
 * The policy that gives each request the lifetime it states: a `cleanup` request runs under its
 * own cleanup deadline instead of the call's signal; an `uncut` one is not cut by the call's
 * abort once it is handed to the transport (see {@link uncut}).
 */
export const lifetimes: Policy = (next) => (target, request, signal) => {
  if (request.lifetime === 'cleanup') return withCleanup((own) => next(target, request, own));
  if (request.lifetime !== 'uncut') return next(target, request, signal);
  return keptUntilAnswered(signal, (kept) => next(target, request, kept));
};

// Sends with a signal that the call's abort no longer cuts (within the cleanup time).
async function keptUntilAnswered<T>(
  signal: AbortSignal,
  send: (kept: AbortSignal) => Promise<T>,
): Promise<T> {
  const kept = uncut(signal);
  kept.sent();
  try {
    return await send(kept.signal);
  } finally {
    kept.dispose();
  }
}
