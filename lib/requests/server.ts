import { z } from 'zod';
import { parseJson } from '../wire/parse.js';
import { listing, type ApiRequest, type CliRequest } from '../wire/request.js';
import { RemoteSchema, type Remote } from '../wire/schemas.js';

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

const MembersSchema = z
  .array(z.looseObject({ url: z.string() }))
  .nullish()
  .transform((members) => members ?? []);

/** `GET /1.0/cluster/members?recursion=1` */
export function membersRequest(): ApiRequest<z.output<typeof MembersSchema>> {
  return listing('/1.0/cluster/members', MembersSchema, true);
}

// `lxc remote list --format json` prints a map of name to Go-cased fields.
const RemoteMapSchema = z.record(
  z.string(),
  z.looseObject({
    Addr: z.string(),
    Protocol: z.string().default(''),
    Public: z.boolean().default(false),
    AuthType: z.string().optional(),
    Project: z.string().optional(),
    Static: z.boolean().optional(),
    Global: z.boolean().optional(),
  }),
);

/** The argv that lists the client's remotes. */
export const REMOTE_LIST_ARGS = ['remote', 'list', '--format=json'] as const;

/** Parses `remote list --format=json` into {@link Remote}s (`local` has protocol `lxd` or `incus`). */
export function parseRemoteList(stdout: string, localProtocol: string): Remote[] {
  const map = parseJson(RemoteMapSchema, stdout);
  return Object.entries(map).map(([name, r]) =>
    RemoteSchema.parse({
      name,
      url: r.Addr,
      protocol: r.Protocol || localProtocol,
      public: r.Public,
      auth_type: r.AuthType,
      project: r.Project,
      static: r.Static,
      global: r.Global,
    }),
  );
}

/** `remote list --format=json`: the client's remotes, as its config describes them. */
export function remoteListCommand(localProtocol: string): CliRequest<Remote[]> {
  return { args: REMOTE_LIST_ARGS, parse: (stdout) => parseRemoteList(stdout, localProtocol) };
}

/** True when `lxc query` cannot reach the remote: simplestreams, or a public image server. */
export function isPublicRemote(remote: Remote): boolean {
  return remote.public || remote.protocol === 'simplestreams';
}
