import type { Call } from '../call/call.js';
import type { ImageAlias } from '../wire/schemas.js';
import { checkAlias, checkRef, checkText } from '../wire/validate.js';
import { aliasRequest } from '../requests/aliases.js';
import { pointAlias } from './aliases.js';
import { resolveFingerprint } from './lookup.js';

/** Options of `aliases.set` (besides the common call options). */
export interface AliasSetFlags {
  /** The alias's description; an alias that is moved keeps its own when this is left out. */
  description?: string | undefined;
}

/** What `aliases.set` takes: the alias, its target, and the flags. */
export interface AliasSetArgs extends AliasSetFlags {
  name: unknown;
  target: unknown;
}

/**
 * `aliases.set`: creates the alias, or points it at `target` with one guarded write (nothing is
 * written when it already points there), and reads it back. Never a delete and a create: the
 * alias never disappears in between.
 */
export async function setAlias(call: Call, args: AliasSetArgs): Promise<ImageAlias> {
  const alias = checkAlias(args.name, 'name');
  const ref = checkRef(args.target, 'target');
  const { description: given } = args;
  const description = given === undefined ? undefined : checkText(given, 'description');
  const fingerprint = await resolveFingerprint(call, ref);
  await pointAlias(call, { name: alias, fingerprint, description });
  return call.send({ api: aliasRequest(alias) });
}
