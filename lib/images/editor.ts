import { z } from 'zod';
import { apiPath, type Resolved } from '../context.js';
import { ValidationError } from '../errors.js';
import { finish, splitTail, type CallOptions, type Mutator } from '../mutator.js';
import { OperationSchema, type Image, type Operation } from '../schemas.js';
import { checkObject, checkPropertyKey, checkRef, checkText } from '../validate.js';
import { ImageReader } from './reader.js';
import { getImage, infoImage, putImage } from './resolve.js';

/** The writable fields of an image (`PUT`/`PATCH` body). */
export interface ImageWritable {
  auto_update?: boolean;
  properties?: Record<string, string>;
  public?: boolean;
  /** `Date`, an RFC 3339 string, or `null` for "never". */
  expires_at?: Date | string | null;
  profiles?: string[];
}

/** Options of `images.delete`. */
export interface DeleteOptions extends CallOptions {
  /** Wait for the deletion to finish (default `true`); `false` resolves to the running operation. */
  wait?: boolean;
}

const WritableSchema = z.strictObject({
  auto_update: z.boolean().optional(),
  properties: z.record(z.string(), z.string()).optional(),
  public: z.boolean().optional(),
  expires_at: z.union([z.date(), z.iso.datetime({ offset: true }), z.null()]).optional(),
  profiles: z.array(z.string().min(1)).optional(),
});

// Checks a PUT/PATCH body and turns it into LXD's JSON.
function toBody(value: unknown, field: string): Record<string, unknown> {
  const result = WritableSchema.safeParse(checkObject(value, field));
  if (!result.success) throw new ValidationError(field, z.prettifyError(result.error));
  const body: Record<string, unknown> = { ...result.data };
  for (const key of Object.keys(result.data.properties ?? {}))
    checkPropertyKey(key, `${field}.properties`);
  if (result.data.expires_at !== undefined) {
    const at = result.data.expires_at;
    // a zero time (0001) keeps the old expiry; the Unix epoch clears it (and reads back as null)
    body.expires_at = at === null ? '1970-01-01T00:00:00Z' : new Date(at).toISOString();
  }
  return body;
}

/** Edits images: `replace`, `update`, `delete` and the property helpers. */
export class ImageEditor extends ImageReader {
  // Resolves a ref to the image, then PUTs (over its current values) or PATCHes it and reads it back.
  // The daemons' PATCH ignores `profiles` and `expires_at`, so a patch with either is a merged PUT.
  private async write(
    call: Resolved,
    ref: string,
    method: 'PUT' | 'PATCH',
    body: Record<string, unknown>,
  ): Promise<Image> {
    const current = await infoImage(this.ctx, call, checkRef(ref));
    if (method === 'PUT') return putImage(this.ctx, call, current, body);
    if ('profiles' in body || 'expires_at' in body) {
      const properties = {
        ...current.properties,
        ...(body.properties as Record<string, string> | undefined),
      };
      return putImage(this.ctx, call, current, { ...body, properties });
    }
    await this.ctx.query(call, apiPath('1.0', 'images', current.fingerprint), z.unknown(), {
      method,
      body,
    });
    return getImage(this.ctx, call, current.fingerprint);
  }

  /**
   * Replaces the writable fields (PUT). `properties` is replaced whole; fields left out keep their values.
   * @example lxc.images.replace('local', fp, { properties: { os: 'alpine' } }).then(image => image.properties)
   */
  async replace<R = Image>(
    remote: string | undefined,
    fp: string,
    body: ImageWritable,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await this.write(call, fp, 'PUT', toBody(body, 'body')), mut);
  }

  /**
   * Updates some fields (PATCH); `properties` keys are merged in.
   * @example lxc.images.update('local', fp, { public: true }).then(image => image.public)
   */
  async update<R = Image>(
    remote: string | undefined,
    fp: string,
    patch: ImageWritable,
    options?: CallOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await this.write(call, fp, 'PATCH', toBody(patch, 'patch')), mut);
  }

  /**
   * Deletes an image. Waits by default; `{wait: false}` resolves to the running `Operation`.
   * @throws {@link NotFoundError} when there is no such image.
   * @example lxc.images.delete('local', fp)
   */
  async delete<R = Operation | undefined>(
    remote: string | undefined,
    ref: string,
    options?: DeleteOptions | Mutator<Operation | undefined, R>,
    mutator?: Mutator<Operation | undefined, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const { fingerprint } = await infoImage(this.ctx, call, checkRef(ref));
    const path = apiPath('1.0', 'images', fingerprint);
    if (opts?.wait === false) {
      return finish(await this.ctx.query(call, path, OperationSchema, { method: 'DELETE' }), mut);
    }
    await this.ctx.query(call, path, z.unknown(), { method: 'DELETE', wait: true });
    return finish(undefined, mut);
  }

  /**
   * Reads one property; `undefined` when it is not set.
   * @example lxc.images.getProperty('local', 'alpine', 'os').then(os => os)
   */
  async getProperty(
    remote: string | undefined,
    ref: string,
    key: string,
    options?: CallOptions,
  ): Promise<string | undefined> {
    const name = checkPropertyKey(key);
    const image = await this.info(remote, ref, options);
    return Object.hasOwn(image.properties, name) ? image.properties[name] : undefined;
  }

  /**
   * Sets one property (PATCH) and resolves to the image.
   * @example lxc.images.setProperty('local', 'alpine', 'owner', 'ops')
   */
  async setProperty(
    remote: string | undefined,
    ref: string,
    key: string,
    value: string,
    options?: CallOptions,
  ): Promise<Image> {
    const call = this.ctx.resolve(remote, options);
    const body = { properties: { [checkPropertyKey(key)]: checkText(value, 'value') } };
    return this.write(call, ref, 'PATCH', body);
  }

  /**
   * Removes one property (the `lxc` CLI only blanks it) and resolves to the image.
   * @example lxc.images.unsetProperty('local', 'alpine', 'owner')
   */
  async unsetProperty(
    remote: string | undefined,
    ref: string,
    key: string,
    options?: CallOptions,
  ): Promise<Image> {
    const call = this.ctx.resolve(remote, options);
    const name = checkPropertyKey(key);
    const current = await infoImage(this.ctx, call, checkRef(ref));
    const properties = Object.fromEntries(
      Object.entries(current.properties).filter(([k]) => k !== name),
    );
    return putImage(this.ctx, call, current, { properties });
  }
}
