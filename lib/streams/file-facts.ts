import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { insideTree } from './paths.js';

/** The size and sha256 of files, each read once. */
export class FileFacts {
  private readonly known = new Map<string, Promise<{ size: number; sha256: string } | undefined>>();
  /** What was checked already (a file is named by LXD's item and Incus's item alike). */
  readonly checked = new Set<string>();
  /** @param root the tree's root: only paths inside it are read. */
  constructor(readonly root: string) {}

  /** The file's size and hash; undefined when it cannot be read. */
  of(path: string): Promise<{ size: number; sha256: string } | undefined> {
    let facts = this.known.get(path);
    if (facts === undefined) {
      facts = this.read([path]).then((r) => r);
      this.known.set(path, facts);
    }
    return facts;
  }

  /** The hash and total size of files read in order; undefined when one cannot be read. */
  async read(paths: readonly string[]): Promise<{ size: number; sha256: string } | undefined> {
    const hash = createHash('sha256');
    let size = 0;
    try {
      for (const path of paths) {
        const full = insideTree(this.root, path);
        if (full === undefined) return undefined;
        for await (const chunk of createReadStream(full, { highWaterMark: 1024 * 1024 })) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      }
    } catch {
      return undefined;
    }
    return { size, sha256: hash.digest('hex') };
  }
}
