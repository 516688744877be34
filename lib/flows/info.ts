import type { Call } from '../call/call.js';
import type { Image } from '../wire/schemas.js';
import { checkRef } from '../wire/validate.js';
import { checkRefs } from '../wire/checks.js';
import { listRequest } from '../requests/images.js';
import { pickImage } from '../requests/pick.js';
import { aliasesOnce, found, infoImage, resolvePublic } from './lookup.js';

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
async function picker(call: Call, isPublic: boolean): Promise<(ref: string) => Promise<Image>> {
  const images = await listAll(call);
  // a failed pick rejects the promise (a throw in an async function)
  if (!isPublic) return async (ref) => Promise.resolve(pickImage(images, ref, call.remote));
  const listing = { images, aliases: aliasesOnce(call) };
  return (ref) => resolvePublic(call, listing, { ref, prefix: true });
}

// True when one listing is cheaper than `count` single reads on the call's remote.
function listingIsCheaper(isPublic: boolean, count: number, call: Call): boolean {
  return isPublic || count > SINGLE_READS_LIMIT[call.transport];
}

/** `images.infoMany`: reads `refs` in order, one by one or from one listing where cheaper. */
export async function infoMany(call: Call, refs: unknown): Promise<Image[]> {
  const checked = checkRefs(refs);
  if (checked.length === 0) return [];
  const isPublic = await call.isPublic();
  if (listingIsCheaper(isPublic, checked.length, call)) {
    const pick = await picker(call, isPublic);
    return Promise.all(checked.map(pick));
  }
  return Promise.all(checked.map((ref) => infoImage(call, ref, { isPublic })));
}

interface Waiting {
  ref: string;
  resolve: (image: Image) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces `info` calls made together (in the same synchronous run of the caller's code) on
 * the same remote and project, only where that is cheaper: on a simplestreams or public remote
 * they share one listing (one process, the cost of a single read there); on an LXD remote they
 * share one listing only when there are more of them than {@link SINGLE_READS_LIMIT} (two calls
 * never cost a 1,000-image listing). Calls with a `timeout` or `signal` of their own are never
 * coalesced.
 */
export class InfoBatcher {
  private readonly pending = new Map<string, { call: Call; waiting: Waiting[] }>();

  /** Resolves a checked `ref` like `infoImage`, sharing the work with concurrent calls where cheaper. */
  read = (call: Call, ref: string): Promise<Image> => {
    if (call.bounded) return infoImage(call, ref);
    const key = `${call.remote}\0${call.target.project ?? ''}`;
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { call, waiting: [] };
      this.pending.set(key, batch);
      queueMicrotask(() => void this.flush(key));
    }
    const { waiting } = batch;
    return new Promise((resolve, reject) => waiting.push({ ref, resolve, reject }));
  };

  /** `images.info`: one image by fingerprint, prefix or alias. */
  info(call: Call, ref: unknown): Promise<Image> {
    return this.read(call, checkRef(ref));
  }

  /** `images.exists`: true when `ref` names an image, never "not found". */
  exists(call: Call, ref: unknown): Promise<boolean> {
    return found(this.read(call, checkRef(ref)));
  }

  // Runs a batch: alone, as a normal lookup; together, as one listing picked from.
  private async flush(key: string): Promise<void> {
    const batch = this.pending.get(key);
    this.pending.delete(key);
    if (!batch) return;
    const { call, waiting } = batch;
    const isPublic = await call.isPublic().catch(() => undefined);
    if (waiting.length === 1 || !listingIsCheaper(isPublic ?? false, waiting.length, call)) {
      for (const entry of waiting)
        infoImage(call, entry.ref, { isPublic }).then(entry.resolve, entry.reject);
      return;
    }
    let pick: (ref: string) => Promise<Image>;
    try {
      pick = await picker(call, isPublic ?? false);
    } catch (error) {
      for (const entry of waiting) entry.reject(error);
      return;
    }
    for (const entry of waiting) pick(entry.ref).then(entry.resolve, entry.reject);
  }
}
