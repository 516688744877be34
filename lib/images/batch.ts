import type { Context, Resolved } from '../context.js';
import { ImageListSchema, type Image } from '../schemas.js';
import { infoImage, listViaCli, pickImage, privateOr } from './resolve.js';

interface Waiting {
  ref: string;
  resolve: (image: Image) => void;
  reject: (error: unknown) => void;
}

/** All images of a remote in one process: `lxc query` on LXD, `lxc image list` on simplestreams. */
export function listAll(ctx: Context, call: Resolved): Promise<Image[]> {
  return privateOr(
    () => ctx.query(call, '/1.0/images?recursion=1', ImageListSchema),
    () => listViaCli(ctx, call),
  );
}

/**
 * Coalesces `info` calls made in the same tick on the same remote, project and timeout:
 * one call runs as usual; two or more share one listing of all images.
 * Calls with an abort `signal` are never coalesced (aborting one must not fail the others).
 */
export class InfoBatcher {
  private readonly pending = new Map<string, { call: Resolved; waiting: Waiting[] }>();

  constructor(private readonly ctx: Context) {}

  /** Resolves `ref` like `infoImage`, sharing the work with concurrent calls. */
  info(call: Resolved, ref: string): Promise<Image> {
    if (call.signal) return infoImage(this.ctx, call, ref);
    const key = JSON.stringify([call.remote, call.project ?? null, call.timeout ?? null]);
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { call, waiting: [] };
      this.pending.set(key, batch);
      setImmediate(() => void this.flush(key));
    }
    const { waiting } = batch;
    return new Promise((resolve, reject) => waiting.push({ ref, resolve, reject }));
  }

  // Runs a batch: alone, as a normal lookup; together, as one listing picked from.
  private async flush(key: string): Promise<void> {
    const batch = this.pending.get(key);
    this.pending.delete(key);
    if (!batch) return;
    const { call, waiting } = batch;
    if (waiting.length === 1) {
      const [only] = waiting as [Waiting];
      infoImage(this.ctx, call, only.ref).then(only.resolve, only.reject);
      return;
    }
    let images: Image[];
    try {
      images = await listAll(this.ctx, call);
    } catch (error) {
      for (const entry of waiting) entry.reject(error);
      return;
    }
    for (const entry of waiting) {
      try {
        entry.resolve(pickImage(images, entry.ref, call.remote));
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
