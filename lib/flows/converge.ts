import type { Call } from '../call/call.js';
import type { Desired } from '../wire/checks-rollout.js';
import type { RolloutAction } from '../wire/rollout.js';
import type { Image, ImageAlias } from '../wire/schemas.js';
import { aliasRequest } from '../requests/aliases.js';
import { convergeGuard, differences } from '../requests/converge.js';
import { imageRequest } from '../requests/images.js';
import { pointAlias } from './aliases.js';
import { found } from './lookup.js';

/** An image on a remote, and the state to bring it to. */
export interface Converging {
  /** The call, aimed at the remote that holds the image. */
  call: Call;
  fingerprint: string;
  desired: Desired;
  aliases: readonly string[];
  /** Change nothing: only record the actions. */
  dryRun: boolean;
  /** Receives each change made (or, in a dry run, that would be made). */
  actions: RolloutAction[];
  /** Receives each alias as it was before it was moved, so that an abort can put it back. */
  moved: ImageAlias[];
}

// The fields, with the fewest writes: none when nothing differs, else one guarded PUT.
async function convergeFields(c: Converging, image: Image): Promise<Image> {
  const { call, fingerprint, desired } = c;
  const fields = differences(image, desired);
  if (fields.length === 0) return image;
  if (c.dryRun) {
    c.actions.push({ action: 'update', fingerprint, fields });
    return image;
  }
  const guard = convergeGuard(fingerprint, desired);
  let written: string[] = [];
  const write: typeof guard.write = (current, etag) => {
    written = differences(current, desired);
    return guard.write(current, etag);
  };
  const updated = await call.send({ guard: { ...guard, write } });
  if (written.length > 0) c.actions.push({ action: 'update', fingerprint, fields: written });
  return updated;
}

/** Where an alias points now (`null`: it does not exist), for a dry run. */
export async function currentTarget(call: Call, name: string): Promise<string | null> {
  let target: string | null = null;
  const read = call.send({ api: aliasRequest(name) }).then((alias) => (target = alias.target));
  return (await found(read)) ? target : null;
}

// Points each alias that does not point at the image yet; true when one was written.
async function convergeAliases(c: Converging, image: Image): Promise<boolean> {
  const { call, fingerprint } = c;
  const missing = c.aliases.filter((name) => !image.aliases.some((a) => a.name === name));
  let wrote = false;
  for (const name of missing) {
    let from: string | null = null;
    if (c.dryRun) from = await currentTarget(call, name);
    else {
      const onMoved = (before: ImageAlias): void => {
        from = before.target;
        c.moved.push(before);
      };
      if ((await pointAlias(call, { name, fingerprint, onMoved })) === 'kept') continue;
      wrote = true;
    }
    c.actions.push({ action: 'alias', name, target: fingerprint, from });
  }
  return wrote;
}

/**
 * Brings an image's fields and aliases to the asked state with the fewest writes: one guarded
 * write of the fields when any differs, then each alias created or moved (never a delete and a
 * create); nothing when all is as asked. Resolves to the image as it then is.
 */
export async function converge(c: Converging): Promise<Image> {
  const image = await convergeFields(c, await c.call.send({ api: imageRequest(c.fingerprint) }));
  if (!(await convergeAliases(c, image))) return image;
  return c.call.send({ api: imageRequest(c.fingerprint) });
}
