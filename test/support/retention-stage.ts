import type { Client, Image } from '../../lib/index.js';
import type { Sandbox, TestImage } from '../../lib/testing/index.js';
import { newImage } from './env.js';

/** The properties of a product, for `keep`. */
export const PRODUCT = { os: 'prodos', release: '1', variant: 'default', architecture: 'amd64' };

/**
 * Creates a project that keeps its own images (`ownImages`) or shares those of `default`; it
 * uses `default`'s profiles, so that its instances get the root disk.
 */
export async function createProject(
  sandbox: Sandbox,
  name: string,
  ownImages: boolean,
): Promise<string> {
  await sandbox.run([
    'project',
    'create',
    name,
    '-c',
    `features.images=${ownImages}`,
    '-c',
    'features.profiles=false',
  ]);
  return name;
}

/** Creates the (stopped) instance `name` in `project` from `image` (an alias or a fingerprint). */
export async function instanceIn(
  sandbox: Sandbox,
  project: string,
  image: string,
  name: string,
): Promise<void> {
  await sandbox.run(['init', image, name, `--project=${project}`]);
}

/** Takes the snapshot `snapshot` of the instance `name` of `project`. */
export async function snapshotIn(
  sandbox: Sandbox,
  project: string,
  name: string,
  snapshot: string,
): Promise<void> {
  const path = `/1.0/instances/${name}/snapshots?project=${project}`;
  const data = `--data=${JSON.stringify({ name: snapshot })}`;
  await sandbox.run(['query', '--request=POST', '--wait', data, path]);
}

/** Imports a fresh image into `project`, with `aliases` and `properties`; resolves to it. */
export async function imported(
  client: Client,
  project: string,
  options: { aliases?: string[]; properties?: Record<string, string>; image?: TestImage } = {},
): Promise<Image> {
  const image = options.image ?? (await newImage());
  return client.images.import('local', image.path, {
    project,
    aliases: options.aliases ?? [],
    properties: options.properties ?? {},
  });
}

/** The fingerprints of the images of `project`, sorted. */
export async function fingerprintsIn(client: Client, project: string): Promise<string[]> {
  return (await client.images.fingerprints('local', { project })).sort();
}

/** `fingerprint → reason` of a prune's `kept`. */
export function reasons(
  kept: readonly { fingerprint: string; reason: string }[],
): Record<string, string> {
  return Object.fromEntries(kept.map((k) => [k.fingerprint, k.reason]));
}

/** The sorted fingerprints of images. */
export function fps(images: readonly { fingerprint: string }[]): string[] {
  return images.map((i) => i.fingerprint).sort();
}
