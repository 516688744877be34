import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ValidationError } from './errors.js';
import type { ProgressHandler } from './progress.js';
import type { Target, UploadSource } from './request.js';
import type { Image } from './schemas.js';
import { checkProgress, checkTargetRemote } from './checks.js';
import {
  checkAlias,
  checkBoolean,
  checkList,
  checkPath,
  checkProject,
  checkProperties,
  MAX_NAME_BYTES,
} from './validate.js';

// The checks of the calls that move image data: their sources, destinations and flags.

/** What `images.import` accepts: a tarball path, split paths, bytes, or a stream. */
export type ImportSource = string | { metadata: string; rootfs: string } | Uint8Array | Readable;

/** Options shared by `import` and `importFromUrl` (besides the common call options). */
export interface ImportFlags {
  /** Aliases to create (as `lxc image import --alias`, an existing alias is moved to the new image). */
  aliases?: string[] | undefined;
  /** Make the image public. */
  public?: boolean | undefined;
  /** Properties to set on the image. */
  properties?: Record<string, string> | undefined;
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

/** Import flags once checked. */
export interface CheckedImport {
  aliases: string[];
  public: boolean;
  properties: Record<string, string>;
  onProgress: ProgressHandler | undefined;
}

/** Checks the flags of an import. */
export function checkImportFlags(flags: ImportFlags): CheckedImport {
  return {
    aliases: checkList(flags.aliases, 'aliases', checkAlias),
    public: checkBoolean(flags.public, 'public') ?? false,
    properties: checkProperties(flags.properties, 'properties'),
    onProgress: checkProgress(flags.onProgress),
  };
}

// Checks that a path names a regular file and makes it absolute, before anything runs.
async function checkFile(path: unknown, field: string): Promise<string> {
  const absolute = resolve(checkPath(path, field));
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new ValidationError(field, `no such file: ${absolute}`);
  return absolute;
}

/** Turns any {@link ImportSource} into what a transport uploads: absolute file paths, or a stream. */
export async function uploadSource(source: ImportSource): Promise<UploadSource> {
  if (typeof source === 'string')
    return { kind: 'files', files: [await checkFile(source, 'source')] };
  if (source instanceof Readable) return { kind: 'stream', stream: source };
  if (source instanceof Uint8Array) return { kind: 'stream', stream: Readable.from([source]) };
  const value: unknown = source; // callers from plain JavaScript may pass anything
  if (typeof value === 'object' && value !== null && 'metadata' in value && 'rootfs' in value) {
    const metadata = await checkFile(value.metadata, 'source.metadata');
    const rootfs = await checkFile(value.rootfs, 'source.rootfs');
    return { kind: 'files', files: [metadata, rootfs] };
  }
  throw new ValidationError(
    'source',
    'must be a path, {metadata, rootfs}, a Buffer/Uint8Array or a Readable',
  );
}

/** Where an export goes: into a directory, or to a file path whose folder exists. */
export async function exportTarget(destination: unknown): Promise<{ dir: string; file?: string }> {
  const path = resolve(checkPath(destination, 'destination'));
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return { dir: path };
  if (Buffer.byteLength(basename(path)) > MAX_NAME_BYTES)
    throw new ValidationError(
      'destination',
      `the file name is longer than ${MAX_NAME_BYTES} bytes`,
    );
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory())
    throw new ValidationError('destination', `no such directory: ${dirname(path)}`);
  return { dir: dirname(path), file: path };
}

/** Options of `images.copy` (besides the common call options). */
export interface CopyFlags {
  /** Aliases to create on the target. */
  aliases?: string[] | undefined;
  /** Copy the source image's aliases too. */
  copyAliases?: boolean | undefined;
  /** Keep the copy up to date with its source (pull mode only). */
  autoUpdate?: boolean | undefined;
  /** Make the copy public. */
  public?: boolean | undefined;
  /** `pull` (default: the target downloads), `push` (the source uploads) or `relay` (through this client). */
  mode?: 'pull' | 'push' | 'relay' | undefined;
  /** Profiles to give the copy. */
  profiles?: string[] | undefined;
  /** The project on the target (the source's project is `project`). */
  targetProject?: string | undefined;
  /** Copy the virtual-machine image of an alias. */
  vm?: boolean | undefined;
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

/** Copy flags once checked. */
export interface CheckedCopy {
  to: Target;
  mode: 'pull' | 'push' | 'relay';
  aliases: string[];
  copyAliases: boolean;
  autoUpdate: boolean;
  public: boolean;
  profiles: string[] | undefined;
  type: Image['type'];
  onProgress: ProgressHandler | undefined;
}

/** Checks the target remote and the flags of a copy. */
export function checkCopy(source: Target, targetRemote: unknown, flags: CopyFlags): CheckedCopy {
  const mode = flags.mode ?? 'pull';
  if (!['pull', 'push', 'relay'].includes(mode))
    throw new ValidationError('mode', 'must be "pull", "push" or "relay"');
  const autoUpdate = checkBoolean(flags.autoUpdate, 'autoUpdate') ?? false;
  if (autoUpdate && mode !== 'pull')
    throw new ValidationError('autoUpdate', 'is only available in pull mode');
  return {
    to: checkTargetRemote(targetRemote, flags.targetProject, source.project),
    mode,
    aliases: checkList(flags.aliases, 'aliases', checkAlias),
    copyAliases: checkBoolean(flags.copyAliases, 'copyAliases') ?? false,
    autoUpdate,
    public: checkBoolean(flags.public, 'public') ?? false,
    profiles:
      flags.profiles === undefined
        ? undefined
        : checkList(flags.profiles, 'profiles', checkProject),
    type: checkBoolean(flags.vm, 'vm') ? 'virtual-machine' : 'container',
    onProgress: checkProgress(flags.onProgress),
  };
}
