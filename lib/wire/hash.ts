import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The sha256 of files read in order, streamed: an image's fingerprint (split: metadata, then rootfs). */
export async function sha256Files(...paths: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const path of paths)
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A split image's file names, metadata (`meta-<fp>…`, as the daemons name it) first. */
export function metadataFirst(names: readonly string[]): string[] {
  return [...names].sort((a, b) => Number(b.startsWith('meta-')) - Number(a.startsWith('meta-')));
}
