import { z } from 'zod';
import type { Call } from '../call/call.js';
import { readModifyWrite } from '../call/write-guard.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { ImageAliasListSchema, type ImageAlias } from '../schemas.js';
import type { Reply } from '../transport/transport.js';
import { checkAlias, checkObject, checkRef, checkText } from '../validate.js';
import { aliasRequest, resolveFingerprint } from './lookup.js';
import { aliasListCommand } from './public-aliases.js';
import { apiPath, type ApiRequest, type Request } from './request.js';

/** What `aliases.create` takes. */
export interface NewAlias {
  /** The alias name (may contain `/`). */
  name: string;
  /** A fingerprint, a unique prefix, or another alias. */
  target: string;
  /** A description. */
  description?: string;
  /** `container` or `virtual-machine` (LXD picks the image's type when omitted). */
  type?: 'container' | 'virtual-machine';
}

/** What `aliases.replace` and `aliases.update` take. */
export interface AliasWritable {
  /** A fingerprint, a unique prefix, or another alias. */
  target?: string;
  /** A description. */
  description?: string;
}

const path = (name: string): string => apiPath('1.0', 'images', 'aliases', name);

/** Lists aliases: `GET /1.0/images/aliases?recursion=1`, or the CLI's listing on simplestreams. */
export function aliasListRequest(remote: string, isPublic: boolean): Request<ImageAlias[]> {
  if (isPublic) return { cli: aliasListCommand(remote) };
  const api: ApiRequest<ImageAlias[]> = {
    method: 'GET',
    path: '/1.0/images/aliases',
    query: { recursion: '1' },
    schema: ImageAliasListSchema,
  };
  return { api };
}

/** `POST /1.0/images/aliases` */
export function createAliasRequest(body: Record<string, unknown>): ApiRequest {
  return { method: 'POST', path: '/1.0/images/aliases', body, schema: z.unknown() };
}

/** `PUT /1.0/images/aliases/<name>`: both fields (a PUT without `description` clears it). */
export function putAliasRequest(
  name: string,
  target: string,
  description: string,
  etag: string | undefined,
): ApiRequest {
  return {
    method: 'PUT',
    path: path(name),
    body: { target, description },
    etag,
    schema: z.unknown(),
  };
}

/** `POST /1.0/images/aliases/<name>` with the new name. */
export function renameAliasRequest(name: string, newName: string): ApiRequest {
  return { method: 'POST', path: path(name), body: { name: newName }, schema: z.unknown() };
}

/** `DELETE /1.0/images/aliases/<name>` */
export function deleteAliasRequest(name: string): ApiRequest {
  return { method: 'DELETE', path: path(name), schema: z.unknown() };
}

/** Lists the aliases of any remote. */
export async function listAliases(call: Call): Promise<ImageAlias[]> {
  return call.send(aliasListRequest(call.remote, await call.isPublic()));
}

/** Reads one alias, on any remote. */
export async function aliasInfo(call: Call, name: unknown): Promise<ImageAlias> {
  const alias = checkAlias(name, 'name');
  if (!(await call.isPublic())) return call.send({ api: aliasRequest(alias) });
  const entry = (await listAliases(call)).find((e) => e.name === alias);
  if (!entry) throw new NotFoundError('Image alias not found', { remote: call.remote });
  return entry;
}

/** Creates an alias and reads it back. */
export async function createAlias(call: Call, alias: unknown): Promise<ImageAlias> {
  const input = checkObject(alias, 'alias');
  const name = checkAlias(input.name, 'alias.name');
  const target = checkRef(input.target, 'alias.target');
  const body: Record<string, unknown> = { name };
  if (input.description !== undefined)
    body.description = checkText(input.description, 'alias.description');
  if (input.type !== undefined) {
    if (input.type !== 'container' && input.type !== 'virtual-machine')
      throw new ValidationError('alias.type', 'must be "container" or "virtual-machine"');
    body.type = input.type;
  }
  body.target = await resolveFingerprint(call, target);
  await call.send({ api: createAliasRequest(body) });
  return call.send({ api: aliasRequest(name) });
}

/**
 * Writes an alias's target and description over what it has now, without losing a concurrent
 * change (a PUT guarded by the ETag it read; LXD 5.0's alias PATCH hangs).
 */
export async function writeAlias(
  call: Call,
  name: unknown,
  input: unknown,
  field: string,
  keep: boolean,
): Promise<ImageAlias> {
  const alias = checkAlias(name, 'name');
  const body = checkObject(input, field);
  if (!keep && body.target === undefined)
    throw new ValidationError(`${field}.target`, 'is required');
  const description =
    body.description === undefined
      ? undefined
      : checkText(body.description, `${field}.description`);
  const target =
    body.target === undefined
      ? undefined
      : await resolveFingerprint(call, checkRef(body.target, `${field}.target`));
  const read = (): Promise<Reply<ImageAlias>> => call.fetch({ api: aliasRequest(alias) });
  return readModifyWrite(
    call,
    `alias ${alias}`,
    read,
    (current, etag) =>
      call.send({
        api: putAliasRequest(
          alias,
          target ?? current.target,
          description ?? (keep ? current.description : ''),
          etag,
        ),
      }),
    async () => (await read()).data,
  );
}

/** Renames an alias and reads it back under its new name. */
export async function renameAlias(
  call: Call,
  name: unknown,
  newName: unknown,
): Promise<ImageAlias> {
  const from = checkAlias(name, 'name');
  const to = checkAlias(newName, 'newName');
  await call.exclusive(`alias ${from}`, () => call.send({ api: renameAliasRequest(from, to) }));
  return call.send({ api: aliasRequest(to) });
}

/** Deletes an alias (not the image). */
export async function deleteAlias(call: Call, name: unknown): Promise<undefined> {
  const alias = checkAlias(name, 'name');
  await call.exclusive(`alias ${alias}`, () => call.send({ api: deleteAliasRequest(alias) }));
  return undefined;
}

/**
 * Points each alias at `fingerprint`, as `lxc image import --alias` does: an alias that exists
 * is moved to the new image (with an empty description, as the CLI leaves it). Each moved alias
 * is recorded in `moved` as it was, so that an aborted call can put it back.
 */
export async function pointAliases(
  call: Call,
  fingerprint: string,
  aliases: readonly string[],
  moved: ImageAlias[] = [],
): Promise<void> {
  for (const name of aliases) {
    await call.exclusive(`alias ${name}`, async () => {
      try {
        await call.send({ api: createAliasRequest({ name, target: fingerprint }) });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const before = await call.fetch({ api: aliasRequest(name) });
        moved.push({ ...before.data, name });
        await call.send({ api: putAliasRequest(name, fingerprint, '', before.etag) });
      }
    });
  }
}

/** Puts back the aliases that {@link pointAliases} moved, last moved first. */
export async function restoreAliases(
  send: <T>(request: Request<T>) => Promise<T>,
  moved: readonly ImageAlias[],
): Promise<void> {
  for (const alias of [...moved].reverse())
    await send({ api: putAliasRequest(alias.name, alias.target, alias.description, undefined) });
}
