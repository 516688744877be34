import { ValidationError } from '../../wire/errors.js';
import { parseJson } from '../../wire/parse.js';
import { requestUrl, type ApiRequest, type Target } from '../../wire/request.js';
import { toJson } from '../../wire/validate.js';

/** The longest single argument the kernel passes to a child (MAX_ARG_STRLEN, with its NUL). */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

/** Builds the argv of `lxc query` for an API request (pure). */
export function queryArgs(target: Target, request: ApiRequest): string[] {
  const args = ['query'];
  if (request.method !== 'GET') args.push(`--request=${request.method}`);
  if (request.wait) args.push('--wait');
  if (request.body !== undefined) {
    const data = `--data=${toJson(request.body)}`;
    if (Buffer.byteLength(data) > MAX_ARG_BYTES) {
      throw new ValidationError(
        'body',
        `is ${Buffer.byteLength(data)} bytes as JSON; the CLI transport passes a body as one argument, ` +
          `which the kernel limits to 128 KiB (use transport: 'rest' for larger bodies)`,
      );
    }
    args.push(data);
  }
  args.push(`${target.remote}:${requestUrl(request, target.project)}`);
  return args;
}

/** Parses what `lxc query` printed: the response's metadata as tab-indented JSON, or nothing. */
export function parseQueryOutput<T>(request: ApiRequest<T>, stdout: string, remote: string): T {
  return parseJson(request.schema, stdout.trim() === '' ? 'null' : stdout, { remote });
}
