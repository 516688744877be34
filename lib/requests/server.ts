import { z } from 'zod';
import type { Call } from '../call/call.js';
import type { ApiRequest } from './request.js';

/** What `GET /1.0` says about a server (the fields lxc-images uses; the rest is kept). */
export const ServerSchema = z.looseObject({
  api_extensions: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  auth: z.string().default(''),
  environment: z
    .looseObject({
      addresses: z
        .array(z.string())
        .nullish()
        .transform((v) => v ?? []),
      certificate: z.string().default(''),
      server: z.string().default(''),
      server_clustered: z.boolean().default(false),
    })
    .default({ addresses: [], certificate: '', server: '', server_clustered: false }),
});
/** What `GET /1.0` says about a server. */
export type Server = z.output<typeof ServerSchema>;

/** `GET /1.0` */
export function serverRequest(): ApiRequest<Server> {
  return { method: 'GET', path: '/1.0', schema: ServerSchema, global: true };
}

/** True when the call's remote has an API extension (read once per client and remote). */
export async function serverHas(call: Call, extension: string): Promise<boolean> {
  return (await call.server()).api_extensions.includes(extension);
}
