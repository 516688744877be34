import { fixture } from './helpers.js';
import { fakeClient } from './fake-transport.js';

/** The fingerprint made of the hex digits `d` over and over (`1` → `111…`, `0a` → `0a0a…`). */
export const fp = (d: string): string => d.repeat(64 / d.length);

const IMAGE = JSON.parse(fixture('image.lxd.json')) as Record<string, unknown>;

/** An image as the daemon lists it: fingerprint `fp(d)`, no aliases, and `fields` over it. */
export function rawImage(d: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...IMAGE, fingerprint: fp(d), aliases: [], ...fields };
}

/** An instance as `recursion=2` lists it, made from `base`, with snapshots made from images. */
export function rawInstance(
  name: string,
  base: string,
  snapshots: Record<string, string> = {},
  project = 'default',
): Record<string, unknown> {
  return {
    name,
    project,
    config: { 'volatile.base_image': base },
    snapshots: Object.entries(snapshots).map(([snap, image]) => ({
      name: snap,
      config: { 'volatile.base_image': image },
    })),
  };
}

/** The keys of the listings a usage reads (over the CLI fake). */
export const KEYS = {
  server: 'GET local:/1.0',
  projects: 'GET local:/1.0/projects?recursion=1',
  images: 'cli image list local: --format=json',
  instances: 'GET local:/1.0/instances?recursion=2&all-projects=true',
};

/** What else a fake daemon has: its projects, its API extensions, the client's project. */
export interface Setting {
  projects?: Record<string, unknown>[];
  extensions?: string[];
  project?: string;
}

/** A fake daemon (LXD 5.0's extensions) with these images, instances and projects. */
export function daemonWith(
  images: Record<string, unknown>[],
  instances: Record<string, unknown>[] = [],
  setting: Setting = {},
): ReturnType<typeof fakeClient> {
  const { project, extensions = ['projects', 'instance_all_projects'] } = setting;
  const made = fakeClient(project === undefined ? {} : { project });
  const projects = setting.projects ?? [{ name: 'default', config: {} }];
  made.fake.on(KEYS.server, JSON.stringify({ api_extensions: extensions }));
  made.fake.on(KEYS.projects, JSON.stringify(projects));
  const flag = project === undefined ? '' : ` --project=${project}`;
  made.fake.on(`${KEYS.images}${flag}`, JSON.stringify(images));
  made.fake.on(KEYS.instances, JSON.stringify(instances));
  return made;
}
