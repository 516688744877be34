import { z } from 'zod';
import { ParseError, type LxcErrorDetails } from './errors.js';

/** Validates a value against a schema; a mismatch is a {@link ParseError} that keeps `raw`. */
export function parseValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  raw: string,
  details: LxcErrorDetails = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ParseError(
      `output does not match the schema: ${z.prettifyError(result.error)}`,
      raw,
      { ...details, cause: result.error },
    );
  }
  return result.data;
}

/** Parses JSON text against a schema; bad JSON or a mismatch is a {@link ParseError} that keeps the text. */
export function parseJson<S extends z.ZodType>(
  schema: S,
  raw: string,
  details: LxcErrorDetails = {},
): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    throw new ParseError(`output is not JSON: ${(error as Error).message}`, raw, {
      ...details,
      cause: error,
    });
  }
  return parseValue(schema, data, raw, details);
}
