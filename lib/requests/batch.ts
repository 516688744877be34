import type { Call } from '../call/call.js';
import { ValidationError } from '../errors.js';
import type { Image } from '../schemas.js';
import { checkRef } from '../validate.js';
import { listRequest } from './list.js';
import { aliasesOnce, infoImage, pickImage, resolvePublic } from './lookup.js';

/**
 * How many single reads cost less than one listing of a large server. A listing costs the
 * daemon about 1 ms per image it holds (1 s for 1,000; `?filter=` saves nothing, the daemon
 * still loads every image), a single read about 15 ms through the CLI and 2 ms over REST.
 */
export const SINGLE_READS_LIMIT = { cli: 64, rest: 256 } as const;

// Reads every image of the call's remote with one request (one process on the CLI).
function listAll(call: Call): Promise<Image[]> {
  return call.send(listRequest(call.remote, []));
}

// Picks refs out of one listing; on a public remote as lxc resolves them (through the alias
// list, read once, when a short alias of another architecture may be meant).
async function picker(call: Call): Promise<(ref: string) => Promise<Image>> {
  const images = await listAll(call);
  if (!(await call.isPublic())) {
    // a failed pick rejects the promise (a throw in the executor)
    return (ref) =>
      new Promise((resolve) => {
        resolve(pickImage(images, ref, call.remote));
      });
  }
  const listing = { images, aliases: aliasesOnce(call) };
  return (ref) => resolvePublic(call, listing, ref, { prefix: true });
}

/** Reads `refs` in order: one by one, or from one listing where that is cheaper. */
export async function infoMany(call: Call, refs: unknown): Promise<Image[]> {
  if (!Array.isArray(refs)) throw new ValidationError('refs', 'must be an array');
  const checked = refs.map((ref, i) => checkRef(ref, `refs[${i}]`));
  if (checked.length === 0) return [];
  if ((await call.isPublic()) || checked.length > SINGLE_READS_LIMIT[call.transport]) {
    const pick = await picker(call);
    return Promise.all(checked.map(pick));
  }
  return Promise.all(checked.map((ref) => infoImage(call, ref)));
}

interface Waiting {
  ref: string;
  resolve: (image: Image) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces `info` calls made in the same tick on the same remote and project, only where that
 * is cheaper: on a simplestreams or public remote they share one listing (one process, the
 * cost of a single read there); on an LXD remote they share one listing only when there are
 * more of them than {@link SINGLE_READS_LIMIT} (two calls never cost a 1,000-image listing).
 * Calls with a `timeout` or `signal` of their own are never coalesced.
 */
export class InfoBatcher {
  private readonly pending = new Map<string, { call: Call; waiting: Waiting[] }>();

  /** Resolves `ref` like `infoImage`, sharing the work with concurrent calls where cheaper. */
  async info(call: Call, ref: string): Promise<Image> {
    if (call.bounded) return infoImage(call, ref);
    const key = JSON.stringify([call.remote, call.target.project ?? null]);
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
    const listing = await call.isPublic().then(
      (isPublic) => isPublic || waiting.length > SINGLE_READS_LIMIT[call.transport],
      () => false,
    );
    if (waiting.length === 1 || !listing) {
      for (const entry of waiting) infoImage(call, entry.ref).then(entry.resolve, entry.reject);
      return;
    }
    let pick: (ref: string) => Promise<Image>;
    try {
      pick = await picker(call);
    } catch (error) {
      for (const entry of waiting) entry.reject(error);
      return;
    }
    for (const entry of waiting) pick(entry.ref).then(entry.resolve, entry.reject);
  }
}
