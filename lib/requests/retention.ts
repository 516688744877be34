import type { CheckedPolicy } from '../wire/checks-prune.js';
import type { PruneResult } from '../wire/prune-error.js';
import type { Image } from '../wire/schemas.js';
import { usageKey, type ImageUsage } from './usage.js';

// The retention rules (pure): products, the newest of each, "in use", and the prune plan.

/** The properties that, with the type, make an image's product. */
export const PRODUCT_PROPERTIES = ['os', 'release', 'variant', 'architecture'] as const;

/**
 * The product of an image (pure): its type and its `os`, `release`, `variant` and
 * `architecture` properties, as one key; `undefined` when any of the four properties is missing
 * or empty (such an image is never pruned by `keep`). Images of different projects are ranked
 * apart even when their products are the same.
 */
export function productOf(image: Image): string | undefined {
  const values = PRODUCT_PROPERTIES.map((key) => image.properties[key]);
  if (values.some((value) => value === undefined || value === '')) return undefined;
  return JSON.stringify([image.type, ...values]);
}

/**
 * A predicate (pure): true for the images of the same product as `image` (none when it has
 * none). For `ensure`'s `keep`: `pruneImages(call, keepRules(n, image), flags)`.
 */
export function sameProduct(image: Image): (other: Image) => boolean {
  const product = productOf(image);
  return (other) => product !== undefined && productOf(other) === product;
}

// A time for ordering: `null` is older than any date.
const time = (date: Date | null): number => date?.getTime() ?? -Infinity;

/**
 * The order of "newest" (pure, for `sort`): by `created_at`, then `uploaded_at`, newest first;
 * ties broken by fingerprint, so that every run picks the same images.
 */
export function newestFirst(a: Image, b: Image): number {
  return (
    time(b.created_at) - time(a.created_at) ||
    time(b.uploaded_at) - time(a.uploaded_at) ||
    (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)
  );
}

/** The images beyond the newest `keep` of each product and project (pure); those without a product are left out. */
export function beyondNewest(images: readonly Image[], keep: number): Image[] {
  const products = new Map<string, Image[]>();
  for (const image of images) {
    const product = productOf(image);
    if (product === undefined) continue;
    const key = `${image.project ?? 'default'}\0${product}`;
    products.set(key, [...(products.get(key) ?? []), image]);
  }
  return [...products.values()].flatMap((group) => group.sort(newestFirst).slice(keep));
}

/**
 * Why an image is in use (pure): `alias x` (or `aliases x, y`) and `used by c1, c1/snap0`, or
 * `undefined` when nothing uses it.
 */
export function inUse(usage: ImageUsage): string | undefined {
  const reasons: string[] = [];
  const { aliases, instances } = usage;
  if (aliases.length > 0)
    reasons.push(`alias${aliases.length > 1 ? 'es' : ''} ${aliases.join(', ')}`);
  if (instances.length > 0) reasons.push(`used by ${instances.join(', ')}`);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** The policy of {@link planPrune}: a checked policy, and the images it may touch at all. */
export interface PruneRules extends CheckedPolicy {
  /**
   * Consider only the images this returns true for (`sameProduct(image)` for an `ensure`'s
   * `keep`); the others are left out of the plan, of `kept` too, and of the `keep` ranking.
   */
  only?: ((image: Image) => boolean) | undefined;
}

/**
 * The rules of `ensure`'s and `sync`'s `keep: n` (pure): the images of `image`'s product beyond
 * the newest `n` (`n` checked by `checkPrunePolicy({ keep: n })`), nothing else selected.
 */
export function keepRules(keep: number, image: Image): PruneRules {
  return { expired: false, unusedFor: undefined, keep, cached: false, only: sameProduct(image) };
}

/** What a prune deletes, and what it keeps and why. */
export type PrunePlan = PruneResult;

/** What {@link planPrune} works from. */
export interface PruneInput {
  /** The images of the project (each with its `project`). */
  images: readonly Image[];
  /** Their usage, from `usageOf`. */
  usage: readonly ImageUsage[];
  rules: PruneRules;
  /** The time expiry and idleness are measured at. */
  now: Date;
}

// Why the policy does not select an image (`undefined`: it does).
function unselected(
  image: Image,
  rules: PruneRules,
  now: number,
  beyond: Set<Image>,
): string | undefined {
  const why: string[] = [];
  if (rules.expired) {
    if (image.expires_at !== null && image.expires_at.getTime() <= now) return undefined;
    why.push(image.expires_at === null ? 'never expires' : 'not expired');
  }
  if (rules.unusedFor !== undefined) {
    const last = image.last_used_at ?? image.uploaded_at;
    if (last !== null && now - last.getTime() > rules.unusedFor) return undefined;
    why.push(last === null ? 'no use or upload time' : 'used recently');
  }
  if (rules.keep !== undefined) {
    if (beyond.has(image)) return undefined;
    why.push(productOf(image) === undefined ? 'no product' : `newest ${rules.keep} of its product`);
  }
  return why.join(', ');
}

/**
 * The prune plan (pure): the images the policy selects (`expired`, `unusedFor`, `keep`: any of
 * them), less those in use (kept with the reason), cached images only with `cached`. Every image
 * `only` accepts is in `deleted` or in `kept`, each once.
 */
export function planPrune({ images, usage, rules, now }: PruneInput): PrunePlan {
  const uses = new Map(usage.map((u) => [usageKey(u.project, u.fingerprint), u]));
  const considered = images.filter((image) => rules.only?.(image) ?? true);
  const eligible = considered.filter((image) => rules.cached || !image.cached);
  const beyond = new Set(rules.keep === undefined ? [] : beyondNewest(eligible, rules.keep));
  const plan: PrunePlan = { deleted: [], kept: [] };
  for (const image of considered) {
    const use = uses.get(usageKey(image.project ?? 'default', image.fingerprint));
    const reason =
      (use && inUse(use)) ??
      (image.cached && !rules.cached ? 'cached' : unselected(image, rules, now.getTime(), beyond));
    if (reason === undefined) plan.deleted.push(image);
    else plan.kept.push({ fingerprint: image.fingerprint, reason });
  }
  return plan;
}
