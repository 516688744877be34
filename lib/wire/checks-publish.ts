import type { ProgressHandler } from './progress.js';
import { ValidationError } from './errors.js';
import { checkProgress } from './checks.js';
import {
  checkAlias,
  checkBoolean,
  checkList,
  checkProperties,
  MAX_NAME_BYTES,
  shown,
} from './validate.js';

/** Options of `images.publish` (besides the common call options). */
export interface PublishFlags {
  /** Aliases to point at the new image once it has landed (a taken alias moves, atomically). */
  aliases?: string[] | undefined;
  /** Properties, merged over those of the instance's image. */
  properties?: Record<string, string> | undefined;
  /** Make the image public. */
  public?: boolean | undefined;
  /** When the image expires: a `Date`, or `null` (never, the default). */
  expiresAt?: Date | null | undefined;
  /**
   * `none`, `gzip`, `bzip2`, `lzma`, `xz`, `zstd`, `pigz`, `pzstd` or `squashfs`, optionally
   * followed by ` -1`…` -9`; default: the daemon's `images.compression_algorithm` (gzip).
   */
  compression?: string | undefined;
  /** Stop a running instance, publish it, and start it again (also when the publish fails). */
  force?: boolean | undefined;
  /** Receives progress events (stage `publish`). */
  onProgress?: ProgressHandler | undefined;
}

/** What is published: an instance, or one of its snapshots. */
export interface PublishSource {
  instance: string;
  snapshot?: string | undefined;
}

/** Publish flags once checked. */
export interface CheckedPublish {
  aliases: string[];
  properties: Record<string, string> | undefined;
  public: boolean;
  expiresAt: Date | undefined;
  compression: string | undefined;
  force: boolean;
  onProgress: ProgressHandler | undefined;
}

// Instance names are host names (LXD and Incus refuse anything else).
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
const SNAPSHOT_BAD = /[/\s\u0000-\u001f\u007f]/;
/** The compressors both daemons accept, each with an optional level. */
export const COMPRESSION = /^(?:none|gzip|bzip2|lzma|xz|zstd|pigz|pzstd|squashfs)(?: -[1-9])?$/;

/** Checks a publish source: `'c1'` or `'c1/snap0'`. */
export function checkPublishSource(value: unknown): PublishSource {
  if (typeof value !== 'string' || value.includes('\u0000'))
    throw new ValidationError('source', `not an instance or snapshot: ${shown(value)}`);
  const [instance = '', snapshot, ...rest] = value.split('/');
  if (!INSTANCE.test(instance) || rest.length > 0)
    throw new ValidationError('source', `not an instance or instance/snapshot: ${shown(value)}`);
  if (snapshot === undefined) return { instance };
  if (
    snapshot === '' ||
    snapshot.startsWith('-') ||
    SNAPSHOT_BAD.test(snapshot) ||
    Buffer.byteLength(snapshot) > MAX_NAME_BYTES
  )
    throw new ValidationError('source', `not a valid snapshot name: ${shown(snapshot)}`);
  return { instance, snapshot };
}

/** Checks `expiresAt`: a valid Date, or null/undefined for "never". */
export function checkExpiry(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new ValidationError('expiresAt', 'must be a valid Date or null');
  return value;
}

/** Checks the flags of a publish, before any request. */
export function checkPublishFlags(flags: PublishFlags): CheckedPublish {
  const { compression } = flags;
  if (
    compression !== undefined &&
    (typeof compression !== 'string' || !COMPRESSION.test(compression))
  )
    throw new ValidationError(
      'compression',
      `must be none, gzip, bzip2, lzma, xz, zstd, pigz, pzstd or squashfs, optionally with -1…-9: ${shown(compression)}`,
    );
  return {
    aliases: checkList(flags.aliases, 'aliases', checkAlias),
    properties:
      flags.properties === undefined ? undefined : checkProperties(flags.properties, 'properties'),
    public: checkBoolean(flags.public, 'public') ?? false,
    expiresAt: checkExpiry(flags.expiresAt),
    compression,
    force: checkBoolean(flags.force, 'force') ?? false,
    onProgress: checkProgress(flags.onProgress),
  };
}
