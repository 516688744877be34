import { z } from 'zod';
import type { Call } from '../call/call.js';
import type { Method } from '../wire/request.js';
import { checkQuery } from '../wire/checks.js';

/** What `client.query` takes besides the path. */
export interface QueryFlags {
  /** HTTP method, `GET` by default. */
  method?: Method | undefined;
  /** A JSON body. */
  body?: unknown;
  /** Wait for a background operation to finish and resolve to it (`lxc query --wait`). */
  wait?: boolean | undefined;
}

/** `client.query`: sends any REST request as it is and resolves to its parsed `metadata`. */
export function sendQuery(call: Call, path: unknown, flags: QueryFlags): Promise<unknown> {
  const [checked, method] = checkQuery(path, flags.method, flags.body);
  return call.send({
    api: { method, path: checked, body: flags.body, wait: flags.wait, schema: z.unknown() },
  });
}
