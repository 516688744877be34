import { z } from 'zod';
import { parseOutput, type Context } from './context.js';
import { finish, splitTail, type CallOptions, type Mutator } from './mutator.js';
import { RemoteSchema, type Remote } from './schemas.js';

// `lxc remote list --format json` prints a map of name to Go-cased fields.
const RemoteMapSchema = z.record(
  z.string(),
  z.looseObject({
    Addr: z.string(),
    Protocol: z.string().default('lxd'),
    Public: z.boolean().default(false),
    AuthType: z.string().optional(),
    Project: z.string().optional(),
    Static: z.boolean().optional(),
    Global: z.boolean().optional(),
  }),
);

/** Configured remotes: `client.remotes`. */
export class Remotes {
  /** @internal */
  constructor(private readonly ctx: Context) {}

  /**
   * Lists the client's remotes (`lxc remote list --format json`).
   * @example lxc.remotes.list().then(remotes => remotes.map(r => r.name))
   */
  async list<R = Remote[]>(
    options?: Omit<CallOptions, 'project'> | Mutator<Remote[], R>,
    mutator?: Mutator<Remote[], R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(undefined, opts);
    const { stdout } = await this.ctx.run(['remote', 'list', '--format=json'], call);
    const map = parseOutput(RemoteMapSchema, stdout, call.remote);
    const remotes = Object.entries(map).map(([name, r]) =>
      RemoteSchema.parse({
        name,
        url: r.Addr,
        protocol: r.Protocol || 'lxd',
        public: r.Public,
        auth_type: r.AuthType,
        project: r.Project,
        static: r.Static,
        global: r.Global,
      }),
    );
    return finish(remotes, mut);
  }
}
