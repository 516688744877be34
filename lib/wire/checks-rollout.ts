import { ValidationError } from './errors.js';
import type { ProgressHandler } from './progress.js';
import { checkImageUrl, checkProgress } from './checks.js';
import { checkExpiry, checkPublishSource } from './checks-publish.js';
import { uploadSource } from './checks-transfer.js';
import {
  checkAlias,
  checkBoolean,
  checkList,
  checkObject,
  checkProject,
  checkProperties,
  checkRef,
  checkRemote,
  shown,
} from './validate.js';

// The checks of `images.ensure` and `images.sync`: every argument before anything runs.

/**
 * Where `images.ensure` gets its image: a unified tarball path, `{metadata, rootfs}` paths, an
 * https `{url}` that answers the image hash headers, an image `{remote, ref}` of another remote,
 * or a snapshot `{instance, snapshot}` of the target remote (published once).
 */
export type EnsureSource =
  | string
  | { metadata: string; rootfs: string }
  | { url: string }
  | { remote: string; ref: string }
  | { instance: string; snapshot: string };

/** The state `images.ensure` converges a remote to. Fields left out are left as they are. */
export interface EnsureSpec {
  source: EnsureSource;
  /** Aliases to point at the image (created, or moved with one guarded write each). */
  aliases?: string[] | undefined;
  /** Properties, merged over the image's own. */
  properties?: Record<string, string> | undefined;
  /** Whether untrusted clients may see the image. */
  public?: boolean | undefined;
  /** Whether the daemon keeps the image up to date with its source. */
  autoUpdate?: boolean | undefined;
  /** The profiles of instances made from it. */
  profiles?: string[] | undefined;
  /** When it expires: a `Date`, or `null` for never. */
  expiresAt?: Date | null | undefined;
  /** Keep the newest `keep` images of the image's product and delete older ones not in use. */
  keep?: number | undefined;
}

/** A checked {@link EnsureSource}: absolute existing files, a URL, a remote image, a snapshot. */
export type CheckedSource =
  | { kind: 'files'; files: readonly string[] }
  | { kind: 'url'; url: string }
  | { kind: 'remote'; remote: string; ref: string }
  | { kind: 'snapshot'; instance: string; snapshot: string };

/** The fields an image converges to (only those given). */
export interface Desired {
  properties?: Record<string, string> | undefined;
  public?: boolean | undefined;
  autoUpdate?: boolean | undefined;
  profiles?: string[] | undefined;
  /** `null`: never. */
  expiresAt?: Date | null | undefined;
}

/** A checked {@link EnsureSpec}. */
export interface CheckedSpec {
  source: CheckedSource;
  aliases: string[];
  desired: Desired;
  keep: number | undefined;
}

// An object source's fields, as strings (anything else is refused).
function fields(source: Record<string, unknown>, names: readonly string[]): string[] {
  return names.map((name) => {
    const value = source[name];
    if (typeof value !== 'string') throw new ValidationError(`source.${name}`, 'must be a string');
    return value;
  });
}

/** Checks an {@link EnsureSource}; a file must exist (it is made absolute). */
export async function checkEnsureSource(source: unknown): Promise<CheckedSource> {
  if (typeof source === 'string' || (typeof source === 'object' && source && 'rootfs' in source)) {
    const upload = await uploadSource(source as string);
    if (upload.kind === 'files') return { kind: 'files', files: upload.files };
  }
  const input = checkObject(source, 'source');
  if ('url' in input) return { kind: 'url', url: checkImageUrl(input.url) };
  if ('remote' in input) {
    const [remote, ref] = fields(input, ['remote', 'ref']);
    return { kind: 'remote', remote: checkRemote(remote, 'source.remote'), ref: checkRef(ref) };
  }
  if ('instance' in input) {
    const [instance, snapshot] = fields(input, ['instance', 'snapshot']);
    const checked = checkPublishSource(`${instance}/${snapshot}`);
    return { kind: 'snapshot', instance: checked.instance, snapshot: checked.snapshot ?? '' };
  }
  throw new ValidationError(
    'source',
    `must be a path, {metadata, rootfs}, {url}, {remote, ref} or {instance, snapshot}: ${shown(source)}`,
  );
}

/** Checks `keep`: a whole number of at least 1. */
export function checkKeep(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new ValidationError('keep', `must be a whole number of at least 1, not ${shown(value)}`);
  return value;
}

/** Checks the fields an image converges to (those given). */
export function checkDesired(input: Record<string, unknown>): Desired {
  const desired: Desired = {};
  if (input.properties !== undefined)
    desired.properties = checkProperties(input.properties, 'properties');
  desired.public = checkBoolean(input.public, 'public');
  desired.autoUpdate = checkBoolean(input.autoUpdate, 'autoUpdate');
  if (input.profiles !== undefined)
    desired.profiles = checkList(input.profiles, 'profiles', checkProject);
  if (input.expiresAt !== undefined)
    desired.expiresAt = input.expiresAt === null ? null : checkExpiry(input.expiresAt);
  return desired;
}

/** Checks the spec of `images.ensure`, before anything runs. */
export async function checkEnsureSpec(spec: unknown): Promise<CheckedSpec> {
  const input = checkObject(spec, 'spec');
  const checked = {
    aliases: checkList(input.aliases, 'aliases', checkAlias),
    desired: checkDesired(input),
    keep: checkKeep(input.keep),
  };
  return { source: await checkEnsureSource(input.source), ...checked };
}

/** Options of `images.ensure` (besides the common call options). */
export interface EnsureFlags {
  /** Change nothing: resolve to the actions that would be taken. */
  dryRun?: boolean | undefined;
  /** Receives progress events of the transfer. */
  onProgress?: ProgressHandler | undefined;
}

/** Checks the flags of `images.ensure`. */
export function checkEnsureFlags(flags: EnsureFlags): {
  dryRun: boolean;
  onProgress: ProgressHandler | undefined;
} {
  return {
    dryRun: checkBoolean(flags.dryRun, 'dryRun') ?? false,
    onProgress: checkProgress(flags.onProgress),
  };
}
