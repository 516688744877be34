import { inspect } from 'node:util';
import { MAX_TIMEOUT } from './deadline.js';
import { ValidationError } from './errors.js';

// One rule for each kind of value, used by every call.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HEX = /^[0-9a-fA-F]{1,64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const PROPERTY_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;

/** A short, safe rendering of any value for an error message (long strings are cut). */
export function shown(value: unknown): string {
  return inspect(value, {
    depth: 1,
    maxStringLength: 80,
    maxArrayLength: 5,
    breakLength: Infinity,
  });
}

/** The most bytes of a name (remote, project, alias) or a property key. */
export const MAX_NAME_BYTES = 255;
/** The most bytes of a property value or a description: 64 KiB. */
export const MAX_TEXT_BYTES = 64 * 1024;

/** The full fingerprint of an image: 64 lower-case hex digits. */
export const FULL_FINGERPRINT = /^[0-9a-f]{64}$/;

/** True when `ref` could be a fingerprint or a prefix of one. */
export function isHex(ref: string): boolean {
  return HEX.test(ref);
}

// A name of letters, digits, `.`, `_`, `-` that does not start with `-` or `.`.
function checkName(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.length > MAX_NAME_BYTES) {
    throw new ValidationError(field, `not a valid ${what} name: ${shown(value)}`);
  }
  return value;
}

/** Checks a remote name (`local`, `images`...): letters, digits, `.`, `_`, `-`, not leading `-`. */
export function checkRemote(value: unknown, field = 'remote'): string {
  return checkName(value, field, 'remote');
}

/** Checks a project name. */
export function checkProject(value: unknown, field = 'project'): string {
  return checkName(value, field, 'project');
}

/** Checks a full fingerprint or a prefix of one (hex) and lower-cases it. */
export function checkFingerprint(value: unknown, field = 'fingerprint'): string {
  if (typeof value !== 'string' || !HEX.test(value)) {
    throw new ValidationError(field, `not a fingerprint or fingerprint prefix: ${shown(value)}`);
  }
  return value.toLowerCase();
}

/** Checks an alias name: not blank, no control characters, not leading `-`, at most 255 bytes. */
export function checkAlias(value: unknown, field = 'alias'): string {
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    value.startsWith('-') ||
    CONTROL.test(value) ||
    Buffer.byteLength(value) > MAX_NAME_BYTES
  ) {
    throw new ValidationError(field, `not a valid alias name: ${shown(value)}`);
  }
  return value;
}

/** Checks an image reference: a fingerprint, a prefix or an alias (the alias rule). */
export function checkRef(value: unknown, field = 'ref'): string {
  return checkAlias(value, field);
}

/** Checks a property key: letters, digits, `_`, `.`, `:`, `/`, `-`, not leading `-`, ≤ 255 bytes. */
export function checkPropertyKey(value: unknown, field = 'key'): string {
  if (
    typeof value !== 'string' ||
    !PROPERTY_KEY.test(value) ||
    Buffer.byteLength(value) > MAX_NAME_BYTES
  ) {
    throw new ValidationError(field, `not a valid property key: ${shown(value)}`);
  }
  return value;
}

/**
 * Checks a text value (a property value, a description): a string without NUL (which no
 * daemon stores whole), at most 64 KiB. Newlines, tabs and other characters are kept.
 */
export function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.includes('\u0000')) throw new ValidationError(field, 'must not contain NUL bytes');
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_TEXT_BYTES) {
    throw new ValidationError(field, `is ${bytes} bytes; at most ${MAX_TEXT_BYTES} are allowed`);
  }
  return value;
}

/** Checks a map of properties: valid keys, text values. */
export function checkProperties(value: unknown, field: string): Record<string, string> {
  const input = checkObject(value, field);
  for (const [key, text] of Object.entries(input)) {
    checkPropertyKey(key, field);
    checkText(text, `${field}.${key}`);
  }
  return input as Record<string, string>;
}

/** Checks a timeout in milliseconds: a positive finite number a timer can hold. */
export function checkTimeout(value: unknown, field = 'timeout'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, 'must be a positive number of milliseconds');
  }
  if (value > MAX_TIMEOUT) {
    throw new ValidationError(
      field,
      `must be at most ${MAX_TIMEOUT} ms (about 24.8 days, the longest timer Node.js can hold)`,
    );
  }
  return value;
}

/** Checks the common call options: `timeout` and `signal`. */
export function checkCallOptions(options: { timeout?: unknown; signal?: unknown }): void {
  checkTimeout(options.timeout);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new ValidationError('signal', 'must be an AbortSignal');
  }
}

/** Checks that `value` is a plain object (or undefined, which gives `{}`). */
export function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

/** Checks an optional array of values with `check`. */
export function checkList<T>(
  value: unknown,
  field: string,
  check: (item: unknown, field: string) => T,
): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  return value.map((item, i) => check(item, `${field}[${i}]`));
}

/** Checks an optional boolean. */
export function checkBoolean(value: unknown, field: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    throw new ValidationError(field, 'must be a boolean');
  return value;
}

/** Checks a local file system path: a non-empty string without NUL. */
export function checkPath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\u0000')) {
    throw new ValidationError(field, 'must be a path');
  }
  return value;
}

/** Serialises a JSON body; a value JSON cannot hold (BigInt, a cycle) is a ValidationError. */
export function toJson(value: unknown, field = 'body'): string {
  // JSON.stringify gives undefined for a function or a symbol
  const stringify: (input: unknown) => string | undefined = JSON.stringify;
  let text: string | undefined;
  try {
    text = stringify(value);
  } catch (error) {
    throw new ValidationError(field, `cannot be sent as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (text === undefined) throw new ValidationError(field, 'cannot be sent as JSON');
  return text;
}
