import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { ValidationError } from '../wire/errors.js';
import { checkPath } from '../wire/validate.js';

const TEMP = /^\.tmp-(\d+)-[0-9a-f]+/;

/** A name for a temporary file or folder of this process: `.tmp-<pid>-<random>-<what>`. */
export function tempName(what: string): string {
  return `.tmp-${process.pid}-${randomBytes(6).toString('hex')}-${what}`;
}

/** The pid that made a temporary name, or undefined when `name` is not one (pure). */
export function tempOwner(name: string): number | undefined {
  const pid = TEMP.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** True while process `pid` runs (on this machine). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Checks a tree's directory and resolves it. With `create`, a missing one is made; otherwise
 * it must exist. Either way it must be a directory.
 */
export async function treeRoot(dir: unknown, create = false): Promise<string> {
  const root = resolve(checkPath(dir, 'dir'));
  if (create) await mkdir(root, { recursive: true }).catch(() => undefined);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new ValidationError('dir', `not a directory: ${root}`);
  return root;
}

/**
 * The absolute path of an item's `path` inside the tree, or undefined when it is not a plain
 * relative path that stays inside (pure): no `..`, no absolute path, no NUL, no backslash.
 */
export function insideTree(root: string, path: string): string | undefined {
  if (path === '' || isAbsolute(path) || /[\0\\]/.test(path)) return undefined;
  if (path.split('/').some((part) => part === '..' || part === '.' || part === ''))
    return undefined;
  const full = normalize(join(root, path));
  return full.startsWith(root + sep) ? full : undefined;
}
