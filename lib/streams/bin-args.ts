import { parseArgs } from 'node:util';

/** What `lxc-images-streams --help` prints. */
export const USAGE = `usage: lxc-images-streams COMMAND DIR [ARGS] [--json]

Writes and checks a simplestreams tree (DIR) that LXD and Incus both read once it is served
over HTTPS (lxc remote add NAME https://HOST/ --protocol simplestreams).

commands:
  add DIR TARBALL [--rootfs FILE]   add a unified image, or a split one (metadata + rootfs)
  add DIR --from REMOTE:REF          add an image exported from a daemon (--binary lxc|incus)
      [--alias NAME]... [--os OS] [--release R] [--variant V] [--architecture A]
      [--version YYYYMMDD_HHMM] [--property KEY=VALUE]...
  list DIR [FILTER]...               list the images (filters as in lxc image list)
  remove DIR REF                     remove an image (fingerprint, prefix or alias)
  verify DIR                         check sizes, hashes and entries; exit 1 on any problem
  prune DIR --keep N [--dry-run]     keep the newest N versions of each product

options:
  --json    print the result as JSON
  --help    print this text

exit status: 0 done, 1 failed (or the tree does not verify), 2 bad usage`;

/** The command line, parsed. */
export interface BinArgs {
  command: string;
  positionals: string[];
  json: boolean;
  help: boolean;
  rootfs?: string | undefined;
  from?: string | undefined;
  binary?: string | undefined;
  alias: string[];
  os?: string | undefined;
  release?: string | undefined;
  variant?: string | undefined;
  architecture?: string | undefined;
  version?: string | undefined;
  property: string[];
  keep?: string | undefined;
  dryRun: boolean;
}

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  rootfs: { type: 'string' },
  from: { type: 'string' },
  binary: { type: 'string' },
  alias: { type: 'string', multiple: true },
  os: { type: 'string' },
  release: { type: 'string' },
  variant: { type: 'string' },
  architecture: { type: 'string' },
  version: { type: 'string' },
  property: { type: 'string', multiple: true },
  keep: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

/** Parses argv (without node and the script); unknown options throw a TypeError. */
export function parseBinArgs(argv: readonly string[]): BinArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [command = '', ...rest] = positionals;
  return {
    command,
    positionals: rest,
    json: values.json === true,
    help: values.help === true,
    rootfs: values.rootfs,
    from: values.from,
    binary: values.binary,
    alias: values.alias ?? [],
    os: values.os,
    release: values.release,
    variant: values.variant,
    architecture: values.architecture,
    version: values.version,
    property: values.property ?? [],
    keep: values.keep,
    dryRun: values['dry-run'] === true,
  };
}
