import type { Image } from '../wire/schemas.js';

// `a.b` matches `architecture.bits`: as many dot-separated parts, each a prefix of the other's.
function dotPrefixMatch(short: string, full: string): boolean {
  const fullParts = full.split('.');
  const shortParts = short.split('.');
  return (
    fullParts.length === shortParts.length &&
    fullParts.every((part, i) => part.startsWith(shortParts[i] ?? ''))
  );
}

// A property value test: the value as an anchored regular expression, or as plain text when it
// is not one (as `lxc image list` does).
function valueMatches(pattern: string, value: string): boolean {
  const source = pattern.includes('^') || pattern.includes('$') ? pattern : `^${pattern}$`;
  try {
    return new RegExp(source).test(value);
  } catch {
    return pattern === value;
  }
}

// The image's top-level fields as the CLI prints them (`%v` of the JSON value).
function topLevel(image: Image, key: string): string | undefined {
  const value: unknown = image[key];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/**
 * True when an image passes one `lxc image list` filter: `key=value` (a property, matched as an
 * anchored regular expression with dot-prefix keys, or a top-level field), or a word that is
 * part of an alias or of the fingerprint. This is the CLI's own rule, for the REST transport.
 */
export function matchesFilter(image: Image, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) {
    return (
      image.aliases.some((alias) => alias.name.includes(filter)) ||
      image.fingerprint.includes(filter)
    );
  }
  const key = filter.slice(0, eq);
  const value = filter.slice(eq + 1);
  const byProperty = Object.entries(image.properties).some(
    ([name, text]) => dotPrefixMatch(key, name) && valueMatches(value, text),
  );
  return byProperty || topLevel(image, key) === value;
}

/** The images that pass every filter. */
export function applyFilters(images: Image[], filters: readonly string[]): Image[] {
  if (filters.length === 0) return images;
  return images.filter((image) => filters.every((filter) => matchesFilter(image, filter)));
}
