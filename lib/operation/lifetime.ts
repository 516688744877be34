import type { Policy } from '../wire/request.js';
import { uncut, withCleanup } from './cleanup.js';

/**
 * The policy that gives each request the lifetime it states: a `cleanup` request runs under its
 * own cleanup deadline instead of the call's signal; an `uncut` one is not cut by the call's
 * abort once it is handed to the transport (see {@link uncut}).
 */
export const lifetimes: Policy = (next) => async (target, request, signal) => {
  if (request.lifetime === 'cleanup') return withCleanup((own) => next(target, request, own));
  if (request.lifetime !== 'uncut') return next(target, request, signal);
  const kept = uncut(signal);
  kept.sent();
  try {
    return await next(target, request, kept.signal);
  } finally {
    kept.dispose();
  }
};
