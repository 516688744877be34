import { createClient } from '../client.js';
import type { ProgressHandler } from '../wire/progress.js';
import type { Image } from '../wire/schemas.js';
import { add } from './add.js';
import type { BinArgs } from './bin-args.js';
import { list } from './list.js';
import type { AddOptions, AddSource } from './options.js';
import { prune } from './prune.js';
import { remove } from './remove.js';
import { verify } from './verify.js';

/** A bad command line: exit status 2 with the usage. */
export class UsageError extends Error {}

/** What a command gives back: its value, the text to print, and whether it succeeded. */
export interface Outcome {
  value: unknown;
  text: string;
  ok: boolean;
}

// Exactly `n` positionals (after the command), or a UsageError.
function need(args: BinArgs, n: number, what: string): string[] {
  if (args.positionals.length !== n) throw new UsageError(`${args.command} takes ${what}`);
  return args.positionals;
}

// One line of a listed image.
function line(image: Image): string {
  const p = image.properties;
  const aliases = image.aliases.map((a) => a.name).join(',');
  return `${image.fingerprint.slice(0, 12)}  ${p.os ?? ''}/${p.release ?? ''}/${p.variant ?? ''}  ${p.serial ?? ''}  ${image.type}  ${image.size}  ${aliases}`;
}

// `--property KEY=VALUE`s as a map.
function properties(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--property takes KEY=VALUE, not ${pair}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

// The source of `add`: a tarball, a tarball with --rootfs, or --from REMOTE:REF.
function addSource(args: BinArgs): { dir: string; source: AddSource } {
  if (args.from !== undefined) {
    const [dir = ''] = need(args, 1, 'DIR --from REMOTE:REF');
    const colon = args.from.indexOf(':');
    if (colon <= 0) throw new UsageError('--from takes REMOTE:REF, e.g. local:alpine');
    const binary = args.binary ?? 'lxc';
    if (binary !== 'lxc' && binary !== 'incus') throw new UsageError('--binary is lxc or incus');
    const client = createClient({ binary });
    return {
      dir,
      source: { client, remote: args.from.slice(0, colon), ref: args.from.slice(colon + 1) },
    };
  }
  const [dir = '', file = ''] = need(args, 2, 'DIR TARBALL [--rootfs FILE]');
  return {
    dir,
    source: args.rootfs === undefined ? file : { metadata: file, rootfs: args.rootfs },
  };
}

// `add`.
async function runAdd(args: BinArgs, onProgress: ProgressHandler | undefined): Promise<Outcome> {
  const { dir, source } = addSource(args);
  const options: AddOptions = {
    ...(args.alias.length > 0 ? { aliases: args.alias } : {}),
    os: args.os,
    release: args.release,
    variant: args.variant,
    architecture: args.architecture,
    version: args.version,
    properties: properties(args.property),
    onProgress,
  };
  const image = await add(dir, source, options);
  return { value: image, text: `added ${line(image)}`, ok: true };
}

// `list`.
async function runList(args: BinArgs): Promise<Outcome> {
  const [dir = '', ...filter] = args.positionals;
  if (dir === '') throw new UsageError('list takes DIR [FILTER]...');
  const images = await list(dir, { filter });
  return { value: images, text: images.map(line).join('\n'), ok: true };
}

// `verify`: not ok when the tree has a problem.
async function runVerify(args: BinArgs): Promise<Outcome> {
  const [dir = ''] = need(args, 1, 'DIR');
  const result = await verify(dir);
  const problems = result.problems.map((p) => `${p.kind}  ${p.path}: ${p.detail}`);
  return { value: result, text: result.ok ? 'ok' : problems.join('\n'), ok: result.ok };
}

// `prune`.
async function runPrune(args: BinArgs): Promise<Outcome> {
  const [dir = ''] = need(args, 1, 'DIR --keep N');
  if (args.keep === undefined || !/^\d+$/.test(args.keep))
    throw new UsageError('prune takes --keep N');
  const result = await prune(dir, { keep: Number(args.keep), dryRun: args.dryRun });
  const verb = args.dryRun ? 'would remove' : 'removed';
  const head = `${verb} ${result.removed.length} images, kept ${result.kept.length}`;
  return {
    value: result,
    text: [head, ...result.files.map((f) => `${verb} ${f}`)].join('\n'),
    ok: true,
  };
}

/** Runs one command of the bin. */
export async function runCommand(
  args: BinArgs,
  onProgress: ProgressHandler | undefined,
): Promise<Outcome> {
  switch (args.command) {
    case 'add':
      return runAdd(args, onProgress);
    case 'list':
      return runList(args);
    case 'remove': {
      const [dir = '', ref = ''] = need(args, 2, 'DIR REF');
      await remove(dir, ref);
      return { value: { removed: ref }, text: `removed ${ref}`, ok: true };
    }
    case 'verify':
      return runVerify(args);
    case 'prune':
      return runPrune(args);
    default:
      throw new UsageError(args.command === '' ? 'no command' : `unknown command ${args.command}`);
  }
}
