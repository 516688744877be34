import { LxcError, ValidationError } from '../wire/errors.js';
import type { Runner } from '../transport/cli/runner.js';
import { shown } from '../wire/validate.js';

/** What the instance helpers need: a sandbox (or a cluster member), whose `run` reaches the daemon. */
export interface InstanceHost {
  /** Runs the client binary against the daemon (argv array, no shell). */
  run: Runner;
}

/** Options of {@link createInstance}. */
export interface CreateInstanceOptions {
  /** Make an ephemeral instance (deleted when it stops). */
  ephemeral?: boolean;
  /** Start it once created (the image must be bootable: `makeImage(dir, { bootable: true })`). */
  start?: boolean;
}

// Instance names are host names; snapshot names travel in URL paths and JSON only.
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

// Refuses a name the helpers would not pass on safely.
function checkInstance(name: string): string {
  if (!INSTANCE.test(name))
    throw new ValidationError('name', `not an instance name: ${shown(name)}`);
  return name;
}

/** `lxc query` of one REST request that creates an operation, waited for. */
export function queryWait(
  host: InstanceHost,
  method: string,
  path: string,
  body: unknown,
): Promise<unknown> {
  return host.run([
    'query',
    `--request=${method}`,
    '--wait',
    `--data=${JSON.stringify(body)}`,
    path,
  ]);
}

/**
 * Creates a container from an image of the daemon (an alias or a fingerprint), as `lxc init`
 * does, and starts it when asked. The daemon needs a storage pool and a root disk in its
 * default profile, which {@link startSandbox} sets up.
 * @example await createInstance(sandbox, 'boot', 'c1', { start: true });
 */
export async function createInstance(
  host: InstanceHost,
  image: string,
  name: string,
  options: CreateInstanceOptions = {},
): Promise<void> {
  if (image === '' || image.startsWith('-') || /[\s:]/.test(image))
    throw new ValidationError('image', `not an image alias or fingerprint: ${shown(image)}`);
  await host.run([
    'init',
    image,
    checkInstance(name),
    ...(options.ephemeral ? ['--ephemeral'] : []),
  ]);
  if (options.start) await startInstance(host, name);
}

/**
 * Takes a snapshot of an instance (`POST /1.0/instances/<name>/snapshots`, the same on LXD and
 * Incus, whose CLIs spell it differently).
 * @example await snapshotInstance(sandbox, 'c1', 'snap0'); // then publish 'c1/snap0'
 */
export async function snapshotInstance(
  host: InstanceHost,
  name: string,
  snapshot: string,
): Promise<void> {
  if (snapshot === '' || snapshot.includes('/') || /[\s\u0000-\u001f]/.test(snapshot))
    throw new ValidationError('snapshot', `not a snapshot name: ${shown(snapshot)}`);
  const path = `/1.0/instances/${encodeURIComponent(checkInstance(name))}/snapshots`;
  await queryWait(host, 'POST', path, { name: snapshot });
}

/** Starts an instance. */
export async function startInstance(host: InstanceHost, name: string): Promise<void> {
  await host.run(['start', checkInstance(name)]);
}

/** Stops an instance at once (`--force`: the tiny init of a test image ignores a clean stop). */
export async function stopInstance(host: InstanceHost, name: string): Promise<void> {
  await host.run(['stop', checkInstance(name), '--force']);
}

/** Deletes an instance and its snapshots, stopping it first if it runs. */
export async function deleteInstance(host: InstanceHost, name: string): Promise<void> {
  await host.run(['delete', checkInstance(name), '--force']);
}

/** Whether this machine can run containers in a daemon, and if not, why. */
export interface ContainerSupport {
  /** True when a container of a bootable test image started and stopped. */
  supported: boolean;
  /** Why containers cannot run here (the daemon's own words), when they cannot. */
  reason?: string;
}

/**
 * Finds out whether containers can run on this machine, by starting one: creates a container
 * from `image` (a bootable image of the daemon, from `makeImage(dir, { bootable: true })`),
 * starts it, and deletes it again. Tests that need a running container skip with `reason`
 * where the kernel (cgroups, idmapped mounts, user namespaces) cannot run them.
 * @example const { supported, reason } = await containerSupport(sandbox, 'boot');
 */
export async function containerSupport(
  host: InstanceHost,
  image: string,
): Promise<ContainerSupport> {
  const name = `probe-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await createInstance(host, image, name, { start: true });
    return { supported: true };
  } catch (error) {
    const reason = error instanceof LxcError ? error.message : String(error);
    return { supported: false, reason: `containers do not start here: ${reason}` };
  } finally {
    await deleteInstance(host, name).catch(() => undefined);
  }
}
