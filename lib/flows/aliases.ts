import type { Call } from '../call/call.js';
import { ConflictError, NotFoundError } from '../wire/errors.js';
import type { ImageAlias } from '../wire/schemas.js';
import { checkAliasBody, checkNewAlias } from '../wire/checks.js';
import { checkAlias } from '../wire/validate.js';
import {
  aliasKey,
  aliasListRequest,
  aliasRequest,
  createAliasRequest,
  deleteAliasRequest,
  putAliasRequest,
  renameAliasRequest,
} from '../requests/aliases.js';
import { resolveFingerprint } from './lookup.js';

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

/** `aliases.list`: the aliases of any remote. */
export async function listAliases(call: Call): Promise<ImageAlias[]> {
  return call.send(aliasListRequest(call.remote, await call.isPublic()));
}

/** `aliases.info`: one alias, on any remote. */
export async function aliasInfo(call: Call, name: unknown): Promise<ImageAlias> {
  const alias = checkAlias(name, 'name');
  if (!(await call.isPublic())) return call.send({ api: aliasRequest(alias) });
  const entry = (await listAliases(call)).find((e) => e.name === alias);
  if (!entry) throw new NotFoundError('Image alias not found', { remote: call.remote });
  return entry;
}

/** `aliases.create`: creates an alias and reads it back. */
export async function createAlias(call: Call, alias: unknown): Promise<ImageAlias> {
  const { target, ...rest } = checkNewAlias(alias);
  const body = { ...rest, target: await resolveFingerprint(call, target) };
  await call.send({ api: createAliasRequest(body) });
  return call.send({ api: aliasRequest(rest.name) });
}

/**
 * `aliases.replace` (`partial` false: `target` required, `description` reset when left out)
 * and `aliases.update` (`partial` true): a PUT of both fields over what the alias has now,
 * guarded by its ETag (LXD 5.0's alias PATCH hangs).
 */
export async function writeAlias(
  call: Call,
  name: unknown,
  input: unknown,
  partial: boolean,
): Promise<ImageAlias> {
  const alias = checkAlias(name, 'name');
  const body = checkAliasBody(input, partial ? 'patch' : 'body', partial);
  const target =
    body.target === undefined ? undefined : await resolveFingerprint(call, body.target);
  return call.send({
    guard: {
      key: aliasKey(alias),
      read: aliasRequest(alias),
      write: (current, etag) =>
        putAliasRequest(
          alias,
          target ?? current.target,
          body.description ?? (partial ? current.description : ''),
          etag,
        ),
    },
  });
}

/** `aliases.rename`: renames an alias and reads it back under its new name. */
export async function renameAlias(
  call: Call,
  name: unknown,
  newName: unknown,
): Promise<ImageAlias> {
  const from = checkAlias(name, 'name');
  const to = checkAlias(newName, 'newName');
  await call.send({ api: renameAliasRequest(from, to), lock: aliasKey(from) });
  return call.send({ api: aliasRequest(to) });
}

/** `aliases.delete`: deletes an alias (not the image). */
export async function deleteAlias(call: Call, name: unknown): Promise<undefined> {
  const alias = checkAlias(name, 'name');
  await call.send({ api: deleteAliasRequest(alias), lock: aliasKey(alias) });
  return undefined;
}

/** How {@link pointAlias} points an alias. */
export interface AliasPoint {
  name: string;
  /** A full fingerprint. */
  fingerprint: string;
  /** The description to give it; an alias that is moved keeps its own when this is left out. */
  description?: string | undefined;
  /** Receives the alias as it was before it was moved, so that an aborted call can put it back. */
  onMoved?: ((before: ImageAlias) => void) | undefined;
}

// Moves an alias that exists with one guarded PUT (none when it points there already); false
// when it is gone meanwhile.
async function moveAlias(call: Call, point: AliasPoint): Promise<'moved' | 'kept' | false> {
  const { name, fingerprint } = point;
  let before: ImageAlias | undefined;
  try {
    await call.send({
      guard: {
        key: aliasKey(name),
        read: aliasRequest(name),
        readBack: false,
        write: (current, etag) => {
          const description = point.description ?? current.description;
          if (current.target === fingerprint && current.description === description) return;
          before = current;
          return putAliasRequest(name, fingerprint, description, etag);
        },
      },
    });
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
  if (!before) return 'kept';
  point.onMoved?.({ ...before, name });
  return 'moved';
}

/**
 * Creates an alias, or points an existing one at `fingerprint` with one guarded write: never a
 * delete and a create, so the alias never disappears in between. Resolves to what it did.
 */
export async function pointAlias(
  call: Call,
  point: AliasPoint,
): Promise<'created' | 'moved' | 'kept'> {
  const { name, fingerprint } = point;
  for (;;) {
    try {
      const { description } = point;
      const body = { name, target: fingerprint, ...(description ? { description } : {}) };
      await call.send({ api: createAliasRequest(body), lock: aliasKey(name) });
      return 'created';
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    // deleted again since it was found taken: create it
    const moved = await moveAlias(call, point);
    if (moved) return moved;
  }
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
  moved: ImageAlias[],
): Promise<void> {
  for (const name of aliases)
    await pointAlias(call, { name, fingerprint, description: '', onMoved: (a) => moved.push(a) });
}
