import type { Call } from '../call/call.js';
import { monotonic, operationProgress, type ProgressHandler } from '../wire/progress.js';
import { checkProgress } from '../wire/checks.js';
import { checkRef } from '../wire/validate.js';
import { refreshRequest } from '../requests/images.js';
import { runOperation } from '../operation/run.js';
import { resolveFingerprint } from './lookup.js';

/** Options of `images.refresh` (besides the common call options). */
export interface RefreshFlags {
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

/** What `images.refresh` resolves to. */
export interface RefreshResult {
  /** True when a newer version was downloaded. */
  refreshed: boolean;
}

/** `images.refresh`: refreshes an auto-updating image from its source. */
export async function refreshImage(
  call: Call,
  ref: unknown,
  flags: RefreshFlags,
): Promise<RefreshResult> {
  const checkedRef = checkRef(ref);
  const progress = operationProgress('refresh', monotonic(checkProgress(flags.onProgress)));
  const fingerprint = await resolveFingerprint(call, checkedRef);
  const start = refreshRequest(fingerprint);
  const done = await runOperation({ ...call.context, start, onRunning: progress.onRunning });
  progress.done();
  return { refreshed: done.metadata.refreshed === true };
}
