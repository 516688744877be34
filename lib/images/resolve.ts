import { z } from 'zod';
import { apiPath, parseOutput, type Context, type Resolved } from '../context.js';
import { LxcError, NotFoundError, RemoteError } from '../errors.js';
import { ImageAliasSchema, ImageListSchema, ImageSchema, type Image } from '../schemas.js';

const FULL_FINGERPRINT = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-fA-F]{1,64}$/;

// True for the error `lxc query` gives on a simplestreams (public-only) remote.
function isNotPrivate(error: unknown): boolean {
  return error instanceof RemoteError && /isn't a private|not a private/i.test(error.message);
}

/** Builds `lxc image list` argv with JSON output (pure). */
export function imageListArgs(remote: string, filters: readonly string[] = []): string[] {
  return ['image', 'list', `${remote}:`, ...filters, '--format=json'];
}

/** Lists images with `lxc image list`, which also reads simplestreams remotes. */
export async function listViaCli(
  ctx: Context,
  call: Resolved,
  filters: readonly string[] = [],
  extra: string[] = [],
): Promise<Image[]> {
  const { stdout } = await ctx.runWithProject(
    [...imageListArgs(call.remote, filters), ...extra],
    call,
  );
  return parseOutput(ImageListSchema, stdout, call.remote);
}

/**
 * Runs `query` (an `lxc query`); on a simplestreams remote, which `lxc query` refuses, runs `cli`
 * (an `lxc image ...` command) instead.
 */
export async function privateOr<T>(query: () => Promise<T>, cli: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (!isNotPrivate(error)) throw error;
  }
  return cli();
}

/** Lists the images that `ref` may name with `lxc image list` (narrowed by it unless it looks like `k=v`). */
export function listForRef(ctx: Context, call: Resolved, ref: string): Promise<Image[]> {
  return listViaCli(ctx, call, ref.includes('=') ? [] : [ref]);
}

/** Picks `ref` (alias, fingerprint or unique prefix) out of a list of images, as LXD would. */
export function pickImage(
  images: readonly Image[],
  ref: string,
  remote?: string,
  type: Image['type'] = 'container',
): Image {
  const byAlias = images.filter((image) => image.aliases.some((alias) => alias.name === ref));
  const chosen = byAlias.find((image) => image.type === type) ?? byAlias[0];
  if (chosen) return chosen;
  const lower = ref.toLowerCase();
  const byPrefix = HEX.test(ref)
    ? images.filter((image) => image.fingerprint.startsWith(lower))
    : [];
  if (byPrefix.length > 1) {
    throw new LxcError(`More than one image matches the fingerprint prefix "${ref}"`, { remote });
  }
  const [only] = byPrefix;
  if (!only) throw new NotFoundError('Image not found', { remote });
  return only;
}

/** Reads one image by full fingerprint or unique prefix, through `lxc query`. */
export function getImage(ctx: Context, call: Resolved, fingerprint: string): Promise<Image> {
  return ctx.query(call, apiPath('1.0', 'images', fingerprint), ImageSchema);
}

/** Resolves `ref` on an LXD remote: aliases first (as the CLI does), then fingerprint or prefix. */
async function infoPrivate(ctx: Context, call: Resolved, ref: string): Promise<Image> {
  if (FULL_FINGERPRINT.test(ref)) return getImage(ctx, call, ref);
  try {
    const alias = await ctx.query(call, apiPath('1.0', 'images', 'aliases', ref), ImageAliasSchema);
    return await getImage(ctx, call, alias.target);
  } catch (error) {
    if (!(error instanceof NotFoundError) || !HEX.test(ref)) throw error;
  }
  return getImage(ctx, call, ref.toLowerCase());
}

/** Reads the image that `ref` names, on any remote, simplestreams included. */
export async function infoImage(
  ctx: Context,
  call: Resolved,
  ref: string,
  type?: Image['type'],
): Promise<Image> {
  return privateOr(
    () => infoPrivate(ctx, call, ref),
    async () => pickImage(await listForRef(ctx, call, ref), ref, call.remote, type),
  );
}

/** The fingerprints behind `/1.0/images` (URLs ending in the fingerprint). */
export const UrlListSchema = z
  .array(z.string())
  .nullable()
  .transform((urls) => (urls ?? []).map((url) => url.split('?')[0]?.split('/').pop() ?? url));

/** PUTs `changes` over the image's current writable fields (a bare PUT would reset `profiles`) and reads it back. */
export async function putImage(
  ctx: Context,
  call: Resolved,
  current: Image,
  changes: Record<string, unknown>,
): Promise<Image> {
  const body = {
    auto_update: current.auto_update,
    public: current.public,
    profiles: current.profiles,
    expires_at: current.expires_at?.toISOString() ?? '0001-01-01T00:00:00Z',
    properties: current.properties,
    ...changes,
  };
  const path = apiPath('1.0', 'images', current.fingerprint);
  await ctx.query(call, path, z.unknown(), { method: 'PUT', body });
  return getImage(ctx, call, current.fingerprint);
}
