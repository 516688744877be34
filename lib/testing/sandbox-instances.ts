import { queryWait, type InstanceHost } from './instances.js';

/**
 * Gives a fresh daemon what instances need: a `dir` storage pool named `default` (inside the
 * daemon's directory) and a root disk on it in the `default` profile.
 */
export async function prepareInstances(host: InstanceHost): Promise<void> {
  await host.run(['storage', 'create', 'default', 'dir']);
  await host.run(['profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=default']);
}

// `<project>\0<name>` of each running instance in a `/1.0/instances?recursion=1` answer.
function runningInstances(text: string): string[] {
  const found = JSON.parse(text) as unknown;
  if (!Array.isArray(found)) return [];
  return found.flatMap((entry: unknown) => {
    const e = entry as { name?: unknown; status?: unknown; project?: unknown };
    if (e.status !== 'Running' || typeof e.name !== 'string') return [];
    return [`${typeof e.project === 'string' ? e.project : 'default'}\0${e.name}`];
  });
}

/**
 * Stops every running instance of the daemon at once (a daemon that is stopped leaves its
 * containers running). Errors are ignored: this is cleanup before the daemon goes.
 */
export async function stopAllInstances(host: InstanceHost): Promise<void> {
  const listed = await host
    .run(['query', '/1.0/instances?recursion=1&all-projects=true'], { timeout: 30_000 })
    .catch(() => undefined);
  if (!listed) return;
  let running: string[];
  try {
    running = runningInstances(listed.stdout);
  } catch {
    return;
  }
  const stops = running.map((key) => {
    const [project = 'default', name = ''] = key.split('\0');
    const path = `/1.0/instances/${encodeURIComponent(name)}/state?project=${encodeURIComponent(project)}`;
    return queryWait(host, 'PUT', path, { action: 'stop', force: true, timeout: -1 }).catch(
      () => undefined,
    );
  });
  await Promise.all(stops);
}
