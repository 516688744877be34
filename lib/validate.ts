import { ValidationError } from './errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HEX = /^[0-9a-fA-F]{1,64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Checks a remote name (`local`, `images`...): letters, digits, `.`, `_`, `-`, not leading `-`. */
export function checkRemote(value: unknown, field = 'remote'): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.length > 255) {
    throw new ValidationError(field, `not a valid remote name: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks a project name. */
export function checkProject(value: unknown, field = 'project'): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.length > 255) {
    throw new ValidationError(field, `not a valid project name: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks a full fingerprint or a prefix of one (hex). */
export function checkFingerprint(value: unknown, field = 'fingerprint'): string {
  if (typeof value !== 'string' || !HEX.test(value)) {
    throw new ValidationError(
      field,
      `not a fingerprint or fingerprint prefix: ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}

/** Checks an alias name: not empty, no control characters, not leading `-`, at most 255 bytes. */
export function checkAlias(value: unknown, field = 'alias'): string {
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    value.startsWith('-') ||
    CONTROL.test(value) ||
    Buffer.byteLength(value) > 255
  ) {
    throw new ValidationError(field, `not a valid alias name: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks an image reference: a fingerprint, a prefix or an alias. */
export function checkRef(value: unknown, field = 'ref'): string {
  return checkAlias(value, field);
}

/** Checks a property key: letters, digits, `.`, `_`, `-`, `/`, `:`, not leading `-`. */
export function checkPropertyKey(value: unknown, field = 'key'): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/.test(value)) {
    throw new ValidationError(field, `not a valid property key: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks a string value that goes to `lxc` as data (no control characters but tab). */
export function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new ValidationError(field, `must be a string without control characters`);
  }
  return value;
}

/** Checks the common call options: `timeout` and `signal`. */
export function checkCallOptions(options: { timeout?: unknown; signal?: unknown }): void {
  const { timeout, signal } = options;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)
  ) {
    throw new ValidationError('timeout', `must be a positive number of milliseconds`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ValidationError('signal', 'must be an AbortSignal');
  }
}

/** Checks that `value` is a plain object (or undefined). */
export function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}
