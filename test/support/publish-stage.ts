import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '../../lib/index.js';
import {
  containerSupport,
  createInstance,
  makeImage,
  type ContainerSupport,
  type Sandbox,
  type SandboxBinary,
} from '../../lib/testing/index.js';
import { getSandbox } from './env.js';

/** What the publish specs of one daemon share (both transports use the same sandbox). */
export interface Stage {
  /** A sandbox of its own (`publish`), listening on loopback. */
  sandbox: Sandbox;
  /** Alias of a bootable image imported with the extra property `owner=ops`. */
  base: string;
  /** Its fingerprint. */
  baseFingerprint: string;
  /** Alias of an image with a 30 MiB rootfs (6 MiB random, 24 MiB zeros): `xz` takes seconds. */
  big: string;
  /** Whether containers can run here. */
  containers: ContainerSupport;
}

/** The properties of the base image's metadata.yaml (what `makeImage` writes). */
export const OWN_PROPERTIES = { description: 'Test image', os: 'testos', release: '1.0' };

const stages = new Map<SandboxBinary, Promise<Stage>>();
const crowds = new Map<SandboxBinary, Promise<string[]>>();

// Imports the shared images into the daemon's own sandbox and finds out whether containers run.
async function setUp(binary: SandboxBinary): Promise<Stage> {
  const sandbox = await getSandbox(binary, 'publish');
  const dir = await mkdtemp(join(sandbox.dir, 'images-'));
  const boot = await makeImage(dir, { bootable: true });
  const { client } = sandbox;
  await client.images.import('local', boot.path, {
    aliases: ['pub-base'],
    properties: { owner: 'ops' },
  });
  const big = await makeImage(dir, { filler: 6 * 2 ** 20, padding: 24 * 2 ** 20 });
  await client.images.import('local', big.path, { aliases: ['pub-big'] });
  return {
    sandbox,
    base: 'pub-base',
    baseFingerprint: boot.fingerprint,
    big: 'pub-big',
    containers: await containerSupport(sandbox, 'pub-base'),
  };
}

/** The stage of a daemon, set up once. */
export function stageFor(binary: SandboxBinary): Promise<Stage> {
  let stage = stages.get(binary);
  if (!stage) {
    stage = setUp(binary);
    stages.set(binary, stage);
  }
  return stage;
}

/** `count` instances of the base image, created once per daemon: `many-0`, `many-1`… */
export function manyInstances(
  binary: SandboxBinary,
  stage: Stage,
  count: number,
): Promise<string[]> {
  let crowd = crowds.get(binary);
  if (!crowd) {
    const names = Array.from({ length: count }, (_, i) => `many-${i}`);
    crowd = Promise.all(names.map((name) => instance(stage, name)));
    crowds.set(binary, crowd);
  }
  return crowd;
}

/** Creates the instance `name` from `image` (the base image by default); resolves to `name`. */
export async function instance(
  stage: Stage,
  name: string,
  options: { image?: string; start?: boolean; ephemeral?: boolean } = {},
): Promise<string> {
  await createInstance(stage.sandbox, options.image ?? stage.base, name, options);
  return name;
}

/** Skips the running test, saying why in its title, when containers cannot run here. */
export function needContainers(ctx: Mocha.Context, stage: Stage): void {
  if (!stage.containers.supported) skipBecause(ctx, stage.containers.reason ?? 'no containers');
}

/** The names of the daemon's running task operations (a publish, a stop…); tokens are left out. */
export async function runningTasks(client: Client): Promise<string[]> {
  const ops = await client.query('local', '/1.0/operations?recursion=1', (value) => {
    const running = (value as { running?: { class: string; description: string }[] } | null)
      ?.running;
    return (running ?? []).filter((op) => op.class === 'task').map((op) => op.description);
  });
  return ops;
}

/** The build directories a daemon left in its images folder (`lxd_build_*`, `incus_build_*`). */
export async function buildDirs(stage: Stage): Promise<string[]> {
  const names = await readdir(join(stage.sandbox.dir, 'daemon', 'images')).catch(() => []);
  return names.filter((name) => name.includes('_build_'));
}

/** The fingerprints of the daemon's images, sorted. */
export async function fingerprints(client: Client): Promise<string[]> {
  return (await client.images.fingerprints('local')).sort();
}

/** True when `program` is on this process's PATH (which the sandbox daemons inherit). */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(join(dir, program)));
}

/** Skips the running test, saying why in its title. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  if (ctx.test) ctx.test.title += ` (skipped: ${reason})`;
  ctx.skip();
}
