import { z } from 'zod';

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

/** An alias as listed inside an image. */
export const ImageAliasRefSchema = z.looseObject({
  name: z.string(),
  description: z.string().default(''),
});
export type ImageAliasRef = z.output<typeof ImageAliasRefSchema>;

/** Where an auto-updating image came from. */
export const UpdateSourceSchema = z.looseObject({
  alias: z.string(),
  certificate: z.string(),
  protocol: z.string(),
  server: z.string(),
  image_type: z.string().optional(),
});
export type UpdateSource = z.output<typeof UpdateSourceSchema>;

/** An image, with LXD's own field names. Unknown fields from newer servers are kept. */
export const ImageSchema = z.looseObject({
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
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
/** An image as lxc-images returns it. */
export type Image = z.output<typeof ImageSchema>;

/** A list of images. */
export const ImageListSchema = slice(ImageSchema);

/** An image alias. */
export const ImageAliasSchema = z.looseObject({
  name: z.string(),
  description: z.string().default(''),
  target: z.string(),
  type: z.string().default('container'),
});
/** An image alias as lxc-images returns it. */
export type ImageAlias = z.output<typeof ImageAliasSchema>;

/** A list of image aliases. */
export const ImageAliasListSchema = slice(ImageAliasSchema);

/** A background operation. */
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
/** A background operation as lxc-images returns it. */
export type Operation = z.output<typeof OperationSchema>;

/** A configured remote, from `lxc remote list --format json`. */
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
/** A configured remote. */
export type Remote = z.output<typeof RemoteSchema>;
