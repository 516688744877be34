import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** What {@link peakRss} saw while an operation ran. */
export interface RssResult<T> {
  value: T;
  /** Peak RSS minus the RSS just before, in bytes. */
  growth: number;
  /** RSS just before, in bytes. */
  before: number;
  /** Wall time in ms. */
  ms: number;
}

/**
 * Runs `fn` while sampling `process.memoryUsage().rss` every 50 ms (and the kernel's maxRSS),
 * and reports how far the peak rose above the RSS measured just before.
 */
export async function peakRss<T>(fn: () => Promise<T>): Promise<RssResult<T>> {
  gc();
  const before = process.memoryUsage().rss;
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().rss);
    const maxAfter = process.resourceUsage().maxRSS * 1024;
    if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter);
    return { value, growth: peak - before, before, ms };
  } finally {
    clearInterval(timer);
  }
}
