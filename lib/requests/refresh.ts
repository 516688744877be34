import type { Call } from '../call/call.js';
import { operationProgress, type ProgressHandler } from '../progress.js';
import { OperationSchema, type Operation } from '../schemas.js';
import { checkRef } from '../validate.js';
import { resolveFingerprint } from './lookup.js';
import { apiPath, type ApiRequest } from './request.js';

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

/** `POST /1.0/images/<fp>/refresh`: a background operation whose metadata says `refreshed`. */
export function refreshRequest(fingerprint: string): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: apiPath('1.0', 'images', fingerprint, 'refresh'),
    schema: OperationSchema,
  };
}

/** Refreshes an auto-updating image from its source. */
export async function refreshImage(
  call: Call,
  ref: unknown,
  flags: RefreshFlags,
): Promise<RefreshResult> {
  const fingerprint = await resolveFingerprint(call, checkRef(ref));
  const op = await call.start({ api: refreshRequest(fingerprint) });
  const progress = operationProgress('refresh', flags.onProgress);
  const done = await call.wait(op.id, { onRunning: progress.onRunning });
  progress.done();
  return { refreshed: done.metadata.refreshed === true };
}
