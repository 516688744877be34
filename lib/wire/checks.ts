import { z } from 'zod';
import { ValidationError } from './errors.js';
import type { Method } from './request.js';
import {
  checkAlias,
  checkObject,
  checkProject,
  checkProperties,
  checkRef,
  checkRemote,
  checkText,
  shown,
  toJson,
} from './validate.js';
import type { ProgressHandler } from './progress.js';

// The checks of each call's own arguments, beside the rules for single values (validate.ts).

const WritableSchema = z.strictObject({
  auto_update: z.boolean().optional(),
  properties: z.record(z.string(), z.string()).optional(),
  public: z.boolean().optional(),
  expires_at: z.union([z.date(), z.iso.datetime({ offset: true }), z.null()]).optional(),
  profiles: z.array(z.string().min(1)).optional(),
});

/** A checked PUT/PATCH body: LXD's field names, `expires_at` still a `Date`, string or `null`. */
export type Writable = z.output<typeof WritableSchema>;

/** Checks a PUT/PATCH body of an image. */
export function checkWritable(value: unknown, field: string): Writable {
  const result = WritableSchema.safeParse(checkObject(value, field));
  if (!result.success) throw new ValidationError(field, z.prettifyError(result.error));
  if (result.data.properties) checkProperties(result.data.properties, `${field}.properties`);
  return result.data;
}

/** Checks list filters: strings without control characters that cannot become flags. */
export function checkFilters(filter: unknown): string[] {
  if (filter === undefined) return [];
  const list: unknown[] = Array.isArray(filter) ? filter : [filter];
  return list.map((item, i) => {
    if (
      typeof item !== 'string' ||
      item === '' ||
      item.startsWith('-') ||
      /[\u0000-\u001f\u007f]/.test(item)
    ) {
      throw new ValidationError(`filter[${i}]`, `not a valid filter: ${shown(item)}`);
    }
    return item;
  });
}

/** Checks a list of image references. */
export function checkRefs(refs: unknown): string[] {
  if (!Array.isArray(refs)) throw new ValidationError('refs', 'must be an array');
  return refs.map((ref, i) => checkRef(ref, `refs[${i}]`));
}

/** Checks an operation id (a UUID, or any short id of letters, digits and `-`). */
export function checkOperationId(id: unknown): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw new ValidationError('id', `not an operation id: ${shown(id)}`);
  }
  return id;
}

/** Checks how long `operations.wait` waits on the server: whole seconds, -1 for "until it ends". */
export function checkWaitSeconds(seconds: unknown): number {
  const limit = seconds ?? -1;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < -1)
    throw new ValidationError('seconds', 'must be an integer of -1 or more');
  return limit;
}

/** Checks an optional progress handler. */
export function checkProgress(value: unknown): ProgressHandler | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new ValidationError('onProgress', 'must be a function');
  return value as ProgressHandler | undefined;
}

/** Checks an image URL source: https only, as LXD requires, with no spaces or control characters. */
export function checkImageUrl(url: unknown): string {
  if (typeof url !== 'string' || /[\s\u0000-\u001f\u007f]/.test(url))
    throw new ValidationError(
      'url',
      'must be an https:// URL without spaces or control characters',
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url', `not a URL: ${shown(url)}`);
  }
  if (parsed.protocol !== 'https:') throw new ValidationError('url', 'must be an https:// URL');
  return url;
}

/** A checked `aliases.create` argument. */
export interface CheckedNewAlias {
  name: string;
  target: string;
  description?: string;
  type?: 'container' | 'virtual-machine';
}

/** Checks the argument of `aliases.create`. */
export function checkNewAlias(alias: unknown): CheckedNewAlias {
  const input = checkObject(alias, 'alias');
  const checked: CheckedNewAlias = {
    name: checkAlias(input.name, 'alias.name'),
    target: checkRef(input.target, 'alias.target'),
  };
  if (input.description !== undefined)
    checked.description = checkText(input.description, 'alias.description');
  if (input.type !== undefined) {
    if (input.type !== 'container' && input.type !== 'virtual-machine')
      throw new ValidationError('alias.type', 'must be "container" or "virtual-machine"');
    checked.type = input.type;
  }
  return checked;
}

/** Checks an alias write body (`target`, `description`); `target` is required unless `partial`. */
export function checkAliasBody(
  input: unknown,
  field: string,
  partial: boolean,
): { target?: string | undefined; description?: string | undefined } {
  const body = checkObject(input, field);
  if (!partial && body.target === undefined)
    throw new ValidationError(`${field}.target`, 'is required');
  return {
    target: body.target === undefined ? undefined : checkRef(body.target, `${field}.target`),
    description:
      body.description === undefined
        ? undefined
        : checkText(body.description, `${field}.description`),
  };
}

const METHODS = new Set(['GET', 'PUT', 'POST', 'PATCH', 'DELETE']);

/** Checks the arguments of `client.query`: an API path, a method, a body JSON can hold. */
export function checkQuery(path: unknown, method: unknown, body: unknown): [string, Method] {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s\u0000-\u001f\u007f]/.test(path)) {
    throw new ValidationError('path', `must be an API path starting with "/": ${shown(path)}`);
  }
  const checked = method ?? 'GET';
  if (typeof checked !== 'string' || !METHODS.has(checked))
    throw new ValidationError('method', `unsupported method ${shown(checked)}`);
  if (body !== undefined) toJson(body);
  return [path, checked as Method];
}

/** Checks the remote a call copies to, and the target project (the source's by default). */
export function checkTargetRemote(
  remote: unknown,
  project: unknown,
  sourceProject: string | undefined,
): { remote: string; project: string | undefined } {
  return {
    remote: checkRemote(remote, 'targetRemote'),
    project: project === undefined ? sourceProject : checkProject(project, 'targetProject'),
  };
}

/** Checks a secret for an untrusted read: printable, no spaces, at most 1 KiB; never shown. */
export function checkSecret(value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(value))
    throw new ValidationError(
      'secret',
      'must be 1 to 1024 printable characters without spaces (it is not shown here)',
    );
  return value;
}
