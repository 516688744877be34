import { parse } from 'yaml';
import { ValidationError } from '../wire/errors.js';

/** What an image's `metadata.yaml` says, as far as a tree needs it. */
export interface ImageMetadata {
  /** `x86_64`, `aarch64`… */
  architecture: string | undefined;
  /** Seconds since the epoch, when given. */
  creationDate: number | undefined;
  /** Its `properties` map, values as text. */
  properties: Record<string, string>;
}

// A scalar as text (numbers and booleans as YAML wrote them); undefined for anything else.
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Parses `metadata.yaml` (pure); text that is not a YAML map is a ValidationError naming `field`. */
export function parseMetadata(text: Buffer, field: string): ImageMetadata {
  let doc: unknown;
  try {
    doc = parse(text.toString('utf8'), { maxAliasCount: 100 });
  } catch (error) {
    throw new ValidationError(field, `metadata.yaml is not YAML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ValidationError(field, 'metadata.yaml is not a map');
  const map = doc as Record<string, unknown>;
  const properties: Record<string, string> = {};
  const given = map.properties;
  if (typeof given === 'object' && given !== null && !Array.isArray(given)) {
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
      const textValue = scalar(value);
      if (textValue !== undefined) properties[key] = textValue;
    }
  }
  const date = Number(scalar(map.creation_date));
  return {
    architecture: scalar(map.architecture),
    creationDate: Number.isFinite(date) && date > 0 ? date : undefined,
    properties,
  };
}
