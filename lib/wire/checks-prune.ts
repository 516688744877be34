import { ValidationError } from './errors.js';
import { checkBoolean, checkObject, shown } from './validate.js';

// The checks of the retention calls: `images.usage`'s flags and `images.prune`'s policy.

/**
 * What `images.prune` deletes. Each of `expired`, `unusedFor` and `keep` selects images; an image
 * that any of them selects is deleted, unless an alias, an instance or a snapshot uses it.
 */
export interface PrunePolicy {
  /** Select images whose `expires_at` has passed (the daemons never delete them themselves). */
  expired?: boolean | undefined;
  /**
   * Select images not used for longer than this many milliseconds: since `last_used_at`, or
   * since `uploaded_at` for an image no instance was ever made from.
   */
  unusedFor?: number | undefined;
  /**
   * Select the images of each product beyond its newest `keep` (a product: the same `os`,
   * `release`, `variant` and `architecture` properties, type and project; newest by
   * `created_at`, then `uploaded_at`). An image without all four properties has no product and
   * is never selected by `keep`. At least 1.
   */
  keep?: number | undefined;
  /** Also consider images the daemon cached for an instance (off by default). */
  cached?: boolean | undefined;
}

/** A checked {@link PrunePolicy}: `expired` and `cached` are booleans, the numbers whole. */
export interface CheckedPolicy {
  expired: boolean;
  unusedFor: number | undefined;
  keep: number | undefined;
  cached: boolean;
}

const POLICY_KEYS = new Set(['expired', 'unusedFor', 'keep', 'cached']);

// Checks a whole number of at least `least`; `undefined` stays.
function checkWhole(value: unknown, field: string, least: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least)
    throw new ValidationError(
      field,
      `must be a whole number of at least ${least}: ${shown(value)}`,
    );
  return value;
}

/**
 * Checks a prune policy: only the known keys, `unusedFor` a whole number of milliseconds (0 or
 * more), `keep` a whole number (1 or more), and at least one of `expired: true`, `unusedFor`,
 * `keep` (a policy that selects nothing is a mistake, not a no-op).
 */
export function checkPrunePolicy(value: unknown): CheckedPolicy {
  if (value === undefined) throw new ValidationError('policy', 'is required');
  const input = checkObject(value, 'policy');
  const unknown = Object.keys(input).filter((key) => !POLICY_KEYS.has(key));
  if (unknown.length > 0)
    throw new ValidationError(
      'policy',
      `unknown key ${shown(unknown[0])}; the keys are expired, unusedFor, keep, cached`,
    );
  const policy: CheckedPolicy = {
    expired: checkBoolean(input.expired, 'policy.expired') ?? false,
    unusedFor: checkWhole(input.unusedFor, 'policy.unusedFor', 0),
    keep: checkWhole(input.keep, 'policy.keep', 1),
    cached: checkBoolean(input.cached, 'policy.cached') ?? false,
  };
  if (!policy.expired && policy.unusedFor === undefined && policy.keep === undefined)
    throw new ValidationError('policy', 'selects nothing: give expired: true, unusedFor or keep');
  return policy;
}
