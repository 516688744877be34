import { z } from 'zod';
import { FULL_FINGERPRINT } from './validate.js';

const ZERO_TIMES = new Set(['0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z']);

/** An LXD timestamp: `Date`, or `null` for LXD's zero times and missing values. */
export const TimestampSchema = z
  .union([z.string(), z.null(), z.undefined()])
  .transform((value, ctx): Date | null => {
    if (value === null || value === undefined || value === '' || ZERO_TIMES.has(value)) return null;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `not a timestamp: ${value}` });
      return z.NEVER;
    }
    return date.getTime() <= 0 ? null : date;
  });

// A Go slice: `null` (nil) becomes `[]`.
function slice<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((value) => value ?? []);
}

// Compile-time proof that a schema's output and its documented interface are the same type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function same<A, B>(proof: Same<A, B>): boolean {
  return proof;
}

/** An alias as listed inside an {@link Image}. */
export interface ImageAliasRef {
  /** The alias name. */
  name: string;
  /** Its description (`''` when none). */
  description: string;
  /** Fields of newer servers, kept as they came. */
  [key: string]: unknown;
}
/** The schema of an {@link ImageAliasRef}. */
export const ImageAliasRefSchema = z.looseObject({
  name: z.string(),
  description: z.string().default(''),
});
same<ImageAliasRef, z.output<typeof ImageAliasRefSchema>>(true);

/** Where an auto-updating image came from. */
export interface UpdateSource {
  /** The alias it was copied by, which a refresh follows. */
  alias: string;
  /** The source server's certificate (PEM; `''` for a CA-signed one). */
  certificate: string;
  /** `lxd`, `incus` or `simplestreams`. */
  protocol: string;
  /** The source server's address. */
  server: string;
  /** `container` or `virtual-machine`, when the server says. */
  image_type?: string | undefined;
  /** Fields of newer servers, kept as they came. */
  [key: string]: unknown;
}
/** The schema of an {@link UpdateSource}. */
export const UpdateSourceSchema = z.looseObject({
  alias: z.string(),
  certificate: z.string(),
  protocol: z.string(),
  server: z.string(),
  image_type: z.string().optional(),
});
same<UpdateSource, z.output<typeof UpdateSourceSchema>>(true);

/** An image, with LXD's own field names (as in its REST API). Unknown fields are kept. */
export interface Image {
  /** The sha256 of the image's files: 64 lower-case hex digits. */
  fingerprint: string;
  /** The aliases that point at it. */
  aliases: ImageAliasRef[];
  /** `x86_64`, `aarch64`… */
  architecture: string;
  /** Whether the daemon keeps it up to date with its source. */
  auto_update: boolean;
  /** Whether the daemon cached it for an instance (and may drop it). */
  cached: boolean;
  /** The file name it was imported from. */
  filename: string;
  /** Its properties (`os`, `release`, `description`…). */
  properties: Record<string, string>;
  /** Whether untrusted clients may see and fetch it. */
  public: boolean;
  /** Its size in bytes (both files of a split image). */
  size: number;
  /** `container` or `virtual-machine`. */
  type: 'container' | 'virtual-machine';
  /** The profiles given to instances made from it. */
  profiles: string[];
  /** The project it is listed from (Incus always says; LXD only with `allProjects`). */
  project?: string | undefined;
  /** Where it came from, for an image copied from another server (`undefined` otherwise). */
  update_source: UpdateSource | undefined;
  /** When it was built (from its metadata), or `null`. */
  created_at: Date | null;
  /** When it expires, or `null` for never. */
  expires_at: Date | null;
  /** When an instance was last made from it, or `null`. */
  last_used_at: Date | null;
  /** When it was stored on this server, or `null`. */
  uploaded_at: Date | null;
  /** Fields of newer servers, kept as they came. */
  [key: string]: unknown;
}
/** The schema of an {@link Image}: LXD's JSON in, an {@link Image} out. */
export const ImageSchema = z.looseObject({
  fingerprint: z.string().regex(FULL_FINGERPRINT),
  aliases: slice(ImageAliasRefSchema),
  architecture: z.string(),
  auto_update: z.boolean().default(false),
  cached: z.boolean().default(false),
  filename: z.string().default(''),
  properties: z
    .record(z.string(), z.string())
    .nullish()
    .transform((value) => value ?? {}),
  public: z.boolean().default(false),
  size: z.number(),
  type: z.enum(['container', 'virtual-machine']).default('container'),
  profiles: slice(z.string()),
  project: z.string().optional(),
  update_source: UpdateSourceSchema.nullish().transform((value) => value ?? undefined),
  created_at: TimestampSchema,
  expires_at: TimestampSchema,
  last_used_at: TimestampSchema,
  uploaded_at: TimestampSchema,
});
same<Image, z.output<typeof ImageSchema>>(true);

/** The schema of a list of images. */
export const ImageListSchema = slice(ImageSchema);

/** An image alias. */
export interface ImageAlias {
  /** The alias name (may contain `/`). */
  name: string;
  /** Its description (`''` when none). */
  description: string;
  /** The full fingerprint of the image it points at. */
  target: string;
  /** `container` or `virtual-machine`. */
  type: string;
  /** Fields of newer servers, kept as they came. */
  [key: string]: unknown;
}
/** The schema of an {@link ImageAlias}. */
export const ImageAliasSchema = z.looseObject({
  name: z.string(),
  description: z.string().default(''),
  target: z.string(),
  type: z.string().default('container'),
});
same<ImageAlias, z.output<typeof ImageAliasSchema>>(true);

/** The schema of a list of image aliases. */
export const ImageAliasListSchema = slice(ImageAliasSchema);

/** A background operation of the daemon. */
export interface Operation {
  /** Its id (a UUID). */
  id: string;
  /** `task`, `websocket` or `token`. */
  class: string;
  /** What it does, in the daemon's words. */
  description: string;
  /** `Running`, `Success`, `Failure`, `Cancelled`… */
  status: string;
  /** The status as a number: 103 running, 200 success, 400 failure, 401 cancelled. */
  status_code: number;
  /** When it was created. */
  created_at: Date | null;
  /** When it last changed. */
  updated_at: Date | null;
  /** The objects it works on, by kind (`images`: [`/1.0/images/<fp>`]). */
  resources: Record<string, string[] | null>;
  /** What it reports: progress, a fingerprint, a secret… */
  metadata: Record<string, unknown>;
  /** Whether it can be cancelled. */
  may_cancel: boolean;
  /** Its error, once it failed (`''` otherwise). */
  err: string;
  /** The cluster member it runs on (`''` or `none` outside a cluster). */
  location: string;
  /** Fields of newer servers, kept as they came. */
  [key: string]: unknown;
}
/** The schema of an {@link Operation}. */
export const OperationSchema = z.looseObject({
  id: z.string(),
  class: z.string(),
  description: z.string().default(''),
  status: z.string(),
  status_code: z.number(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  resources: z
    .record(z.string(), z.array(z.string()).nullable())
    .nullish()
    .transform((value) => value ?? {}),
  metadata: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((value) => value ?? {}),
  may_cancel: z.boolean().default(false),
  err: z.string().default(''),
  location: z.string().default(''),
});
same<Operation, z.output<typeof OperationSchema>>(true);

/** A remote of the client's config, as `remote list --format json` describes it. */
export interface Remote {
  /** Its name (`local`, `images`…). */
  name: string;
  /** Its address: `unix://`, `unix:///path` or `https://host:port`. */
  url: string;
  /** `lxd`, `incus` or `simplestreams`. */
  protocol: string;
  /** Whether it is a public image server (no client certificate). */
  public: boolean;
  /** `tls`, `oidc` or `candid`, for a private HTTPS remote. */
  auth_type?: string | undefined;
  /** Whether it is built into the client (`local`; `ubuntu` on LXD). */
  static?: boolean | undefined;
  /** Whether it comes from the global (system) config. */
  global?: boolean | undefined;
  /** The project the CLI's image commands use on it. */
  project?: string | undefined;
  /** Fields of newer clients, kept as they came. */
  [key: string]: unknown;
}
/** The schema of a {@link Remote}. */
export const RemoteSchema = z.looseObject({
  name: z.string(),
  url: z.string(),
  protocol: z.string(),
  public: z.boolean().default(false),
  auth_type: z.string().optional(),
  static: z.boolean().optional(),
  global: z.boolean().optional(),
  project: z.string().optional(),
});
same<Remote, z.output<typeof RemoteSchema>>(true);
