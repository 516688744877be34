import { machine } from 'node:os';
import { ValidationError } from '../wire/errors.js';
import { shown } from '../wire/validate.js';

// A product field (os, release, variant): no `:` (the key's separator), no `/`, `,` or space.
const WORD = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;
const MAX = 255;

/**
 * Checks one word of a product key (`os`, `release`, `variant`): letters, digits, `.`, `_`,
 * `+`, `~`, `-`, not leading `.` or `-`, at most 255 bytes. Nothing that could name a path.
 */
export function checkWord(value: unknown, field: string): string {
  if (typeof value !== 'string' || !WORD.test(value) || value.length > MAX)
    throw new ValidationError(field, `not a valid name: ${shown(value)}`);
  return value;
}

/**
 * Checks an alias of a tree: words (the rule of {@link checkWord}) joined by `/`, so no empty
 * segment, no `..`, no `,` (the products file joins aliases with it), no NUL or space.
 */
export function checkTreeAlias(value: unknown, field: string): string {
  const ok =
    typeof value === 'string' &&
    value.length <= MAX &&
    value.split('/').every((part) => WORD.test(part));
  if (!ok) throw new ValidationError(field, `not a valid alias: ${shown(value)}`);
  return value;
}

/** Checks a version key: a date `YYYYMMDD` first (both clients skip any other), then words. */
export function checkVersionKey(value: unknown, field = 'version'): string {
  if (typeof value !== 'string' || !/^\d{8}[A-Za-z0-9._:-]*$/.test(value) || value.length > 64)
    throw new ValidationError(
      field,
      `not a version key of the form YYYYMMDD_HHMM: ${shown(value)}`,
    );
  if (!validDate(value.slice(0, 8)))
    throw new ValidationError(field, `does not start with a real date: ${shown(value)}`);
  return value;
}

/** True when `yyyymmdd` is a real calendar date. */
export function validDate(yyyymmdd: string): boolean {
  const [y, m, d] = [yyyymmdd.slice(0, 4), yyyymmdd.slice(4, 6), yyyymmdd.slice(6, 8)].map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
  return /^\d{8}$/.test(yyyymmdd) && date.getUTCDate() === d && date.getUTCMonth() + 1 === m;
}

// The kernel's architecture names and the Debian names simplestreams products use, as both
// clients' `osarch` tables pair them.
const ARCHES: readonly (readonly [kernel: string, product: string, ...aliases: string[]])[] = [
  ['x86_64', 'amd64'],
  ['i686', 'i386', 'i586', '386', 'x86'],
  ['aarch64', 'arm64'],
  ['armv7l', 'armhf', 'armhfp', 'armv7'],
  ['armv6l', 'armel', 'arm'],
  ['ppc64le', 'ppc64el'],
  ['ppc64', 'powerpc64'],
  ['ppc', 'powerpc'],
  ['s390x', 's390x'],
  ['riscv64', 'riscv64'],
  ['mips64', 'mips64el'],
  ['mips', 'mipsel'],
];

/** The names of an architecture both clients know (`x86_64`, `amd64`…); undefined when neither does. */
export function architectureOf(name: string): { kernel: string; product: string } | undefined {
  const row = ARCHES.find((names) => names.includes(name));
  return row === undefined ? undefined : { kernel: row[0], product: row[1] };
}

/** Checks an architecture name and gives its kernel and product names. */
export function checkArchitecture(
  value: unknown,
  field: string,
): { kernel: string; product: string } {
  const arch = typeof value === 'string' ? architectureOf(value) : undefined;
  if (arch === undefined)
    throw new ValidationError(field, `not an architecture LXD and Incus know: ${shown(value)}`);
  return arch;
}

/** This machine's architecture, by its kernel name (`x86_64`), as the clients see it. */
export function localArchitecture(): string {
  return architectureOf(machine())?.kernel ?? machine();
}
