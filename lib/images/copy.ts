import type { Context, Resolved } from '../context.js';
import { ValidationError } from '../errors.js';
import type { Image } from '../schemas.js';
import { checkAlias, checkProject, checkRef, checkRemote } from '../validate.js';
import { progressLines, type ProgressHandler } from './progress.js';
import { getImage, infoImage, putImage } from './resolve.js';

/** Options of `images.copy` (besides the common call options). */
export interface CopyFlags {
  /** Aliases to create on the target. */
  aliases?: string[] | undefined;
  /** Copy the source image's aliases too. */
  copyAliases?: boolean | undefined;
  /** Keep the copy up to date with its source. */
  autoUpdate?: boolean | undefined;
  /** Make the copy public. */
  public?: boolean | undefined;
  /** `pull` (default: the target downloads), `push` (the source uploads) or `relay` (through this client). */
  mode?: 'pull' | 'push' | 'relay' | undefined;
  /** Profiles to give the copy (set after the copy: LXD 5.0's `image copy` has no `--profile`). */
  profiles?: string[] | undefined;
  /** The project on the target (the source's project is `project`). */
  targetProject?: string | undefined;
  /** Copy the virtual-machine image of an alias. */
  vm?: boolean | undefined;
  /** Receives progress events. */
  onProgress?: ProgressHandler | undefined;
}

// Checks an optional array of strings with `check`.
function strings(
  value: unknown,
  field: string,
  check: (v: unknown, f: string) => string,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  return value.map((item) => check(item, field));
}

/** Builds the argv of `lxc image copy` (pure). */
export function copyArgs(
  source: Resolved,
  ref: string,
  target: string,
  flags: CopyFlags,
): string[] {
  const args = [
    'image',
    'copy',
    `${source.remote}:${checkRef(ref)}`,
    `${checkRemote(target, 'targetRemote')}:`,
  ];
  for (const alias of strings(flags.aliases, 'aliases', checkAlias)) args.push(`--alias=${alias}`);
  if (flags.copyAliases) args.push('--copy-aliases');
  if (flags.autoUpdate) args.push('--auto-update');
  if (flags.public) args.push('--public');
  const mode = flags.mode ?? 'pull';
  if (!['pull', 'push', 'relay'].includes(mode))
    throw new ValidationError('mode', 'must be "pull", "push" or "relay"');
  args.push(`--mode=${mode}`);
  if (flags.targetProject !== undefined)
    args.push(`--target-project=${checkProject(flags.targetProject, 'targetProject')}`);
  if (flags.vm) args.push('--vm');
  if (source.project !== undefined) args.push(`--project=${source.project}`);
  return args;
}

/** Copies an image between remotes and reads the copy back from the target. */
export async function copyImage(
  ctx: Context,
  source: Resolved,
  ref: string,
  target: string,
  flags: CopyFlags,
): Promise<Image> {
  const args = copyArgs(source, ref, target, flags);
  const profiles =
    flags.profiles === undefined ? undefined : strings(flags.profiles, 'profiles', checkProject);
  const original = await infoImage(ctx, source, ref, flags.vm ? 'virtual-machine' : 'container');
  await ctx.run(args, source, { onLine: progressLines('copy', flags.onProgress) });
  const onTarget: Resolved = {
    ...source,
    remote: target,
    project: flags.targetProject ?? source.project,
  };
  const copy = await getImage(ctx, onTarget, original.fingerprint);
  return profiles === undefined ? copy : putImage(ctx, onTarget, copy, { profiles });
}
