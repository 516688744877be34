import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { ProgressHandler } from '../progress.js';
import { OperationSchema, type Operation } from '../schemas.js';
import {
  checkAlias,
  checkBoolean,
  checkList,
  checkProperties,
  MAX_NAME_BYTES,
  shown,
} from '../validate.js';
import { apiPath, type ApiRequest } from './request.js';

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

// Checks `expiresAt`: a valid Date, or null/undefined for "never".
function checkExpiry(value: unknown): Date | undefined {
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
    onProgress: flags.onProgress,
  };
}

/** An instance or snapshot, as much of it as a publish reads. */
export const InstanceSchema = z.looseObject({
  name: z.string(),
  status: z.string().default(''),
  ephemeral: z.boolean().default(false),
  config: z
    .record(z.string(), z.string())
    .nullish()
    .transform((config) => config ?? {}),
});
/** An instance or snapshot, as much of it as a publish reads. */
export type Instance = z.output<typeof InstanceSchema>;

const instancePath = (name: string, ...rest: string[]): string =>
  apiPath('1.0', 'instances', name, ...rest);

/** `GET /1.0/instances/<name>`, or `…/snapshots/<snapshot>` for a snapshot. */
export function subjectRequest(source: PublishSource): ApiRequest<Instance> {
  const path =
    source.snapshot === undefined
      ? instancePath(source.instance)
      : instancePath(source.instance, 'snapshots', source.snapshot);
  return { method: 'GET', path, schema: InstanceSchema };
}

/** The properties of an instance's image, as its `image.*` config keys recorded them. */
export function imageProperties(config: Readonly<Record<string, string>>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(config))
    if (key.startsWith('image.')) properties[key.slice('image.'.length)] = value;
  return properties;
}

/**
 * `POST /1.0/images` with an instance or snapshot source. `properties` are sent only when given
 * (LXD 5.0 replaces the image's own with them, so the caller merges first); no aliases in the
 * body (the daemon would leave an image without them when one is taken).
 */
export function publishRequest(
  source: PublishSource,
  checked: CheckedPublish,
  properties: Record<string, string> | undefined,
): ApiRequest<Operation> {
  const snapshot = source.snapshot !== undefined;
  return {
    method: 'POST',
    path: '/1.0/images',
    body: {
      source: {
        type: snapshot ? 'snapshot' : 'instance',
        name: snapshot ? `${source.instance}/${source.snapshot}` : source.instance,
      },
      public: checked.public,
      ...(properties === undefined ? {} : { properties }),
      ...(checked.expiresAt === undefined ? {} : { expires_at: checked.expiresAt.toISOString() }),
      ...(checked.compression === undefined ? {} : { compression_algorithm: checked.compression }),
    },
    schema: OperationSchema,
  };
}

/** `PUT /1.0/instances/<name>/state`: stop (forced, as `lxc publish --force`) or start. */
export function stateRequest(name: string, action: 'stop' | 'start'): ApiRequest<Operation> {
  return {
    method: 'PUT',
    path: instancePath(name, 'state'),
    body: action === 'stop' ? { action, timeout: -1, force: true } : { action, timeout: -1 },
    schema: OperationSchema,
  };
}

/** The same start, waited for (`lxc query --wait`, or the REST transport's wait). */
export function startAndWaitRequest(name: string): ApiRequest {
  return { ...stateRequest(name, 'start'), wait: true, schema: z.unknown() };
}

/** `PATCH /1.0/instances/<name>` with `{ephemeral}` (kept through a forced stop, as the CLI does). */
export function ephemeralRequest(name: string, ephemeral: boolean): ApiRequest {
  return {
    method: 'PATCH',
    path: instancePath(name),
    body: { ephemeral },
    wait: true,
    schema: z.unknown(),
  };
}
