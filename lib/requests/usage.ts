import { z } from 'zod';
import type { ApiRequest } from '../wire/request.js';
import type { Image } from '../wire/schemas.js';

/** What an image is used by: the image, and the instances and snapshots made from it. */
export interface ImageUsage {
  /** The image's fingerprint. */
  fingerprint: string;
  /** The project the image is stored in. */
  project: string;
  /** The names of the aliases that point at it. */
  aliases: string[];
  /**
   * The instances and snapshots made from it (their `volatile.base_image`): `c1`, `c1/snap0`;
   * one of another project that shares this project's images is named `project:c1`.
   */
  instances: string[];
  /** Whether the daemon cached it for an instance (and may drop it). */
  cached: boolean;
  /** When an instance was last made from it, or `null`. */
  lastUsedAt: Date | null;
}

const ConfigSchema = z
  .record(z.string(), z.string())
  .nullish()
  .transform((config) => config ?? {});

/** An instance with its snapshots, as much of it as the usage of images reads. */
export const InstanceEntrySchema = z.looseObject({
  name: z.string(),
  project: z.string().default('default'),
  config: ConfigSchema,
  snapshots: z
    .array(z.looseObject({ name: z.string(), config: ConfigSchema }))
    .nullish()
    .transform((snapshots) => snapshots ?? []),
});
/** An instance with its snapshots, as much of it as the usage of images reads. */
export type InstanceEntry = z.output<typeof InstanceEntrySchema>;

const InstanceListSchema = z
  .array(InstanceEntrySchema)
  .nullish()
  .transform((list) => list ?? []);

/**
 * `GET /1.0/instances?recursion=2`: every instance with its snapshots inline (LXD 5.0 and Incus
 * alike), of every project (`all-projects=true`, `instance_all_projects`) unless `inProject`.
 */
export function instancesRequest(inProject = false): ApiRequest<InstanceEntry[]> {
  const query: Record<string, string> = inProject
    ? { recursion: '2' }
    : { recursion: '2', 'all-projects': 'true' };
  return {
    method: 'GET',
    path: '/1.0/instances',
    query,
    schema: InstanceListSchema,
    global: !inProject,
  };
}

/** A project as the usage of images reads it: its name and whether it keeps its own images. */
export interface ProjectImages {
  name: string;
  config?: Readonly<Record<string, string>> | null | undefined;
}

/** The project whose images `project` uses: its own with `features.images`, else `default`. */
export function imageProjectOf(project: ProjectImages): string {
  return project.name === 'default' || project.config?.['features.images'] === 'true'
    ? project.name
    : 'default';
}

/** The image key of the usage rules: an image is its fingerprint within its project. */
export function usageKey(project: string, fingerprint: string): string {
  return `${project}\0${fingerprint}`;
}

// `<image project key> → names`: who uses which image, by `volatile.base_image`.
function usersByImage(
  instances: readonly InstanceEntry[],
  imageProject: (project: string) => string,
): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const add = (project: string, base: string | undefined, name: string): void => {
    if (base === undefined || base === '') return;
    const own = imageProject(project);
    const key = usageKey(own, base);
    users.set(key, [...(users.get(key) ?? []), own === project ? name : `${project}:${name}`]);
  };
  for (const instance of instances) {
    add(instance.project, instance.config['volatile.base_image'], instance.name);
    for (const snapshot of instance.snapshots)
      add(
        instance.project,
        snapshot.config['volatile.base_image'],
        `${instance.name}/${snapshot.name}`,
      );
  }
  return users;
}

/** The facts the usage of images is worked out from: one listing each. */
export interface UsageFacts {
  /** The images, each with its `project` set. */
  images: readonly Image[];
  /** The instances with their snapshots. */
  instances: readonly InstanceEntry[];
  /** The projects (to know which share the images of `default`). */
  projects: readonly ProjectImages[];
}

/**
 * What uses each image (pure): its aliases, and the instances and snapshots whose
 * `volatile.base_image` is its fingerprint, in a project that uses the image's project.
 */
export function usageOf(facts: UsageFacts): ImageUsage[] {
  const byName = new Map(facts.projects.map((p) => [p.name, imageProjectOf(p)]));
  const users = usersByImage(facts.instances, (project) => byName.get(project) ?? project);
  return facts.images.map((image) => {
    const project = image.project ?? 'default';
    return {
      fingerprint: image.fingerprint,
      project,
      aliases: image.aliases.map((alias) => alias.name),
      instances: users.get(usageKey(project, image.fingerprint)) ?? [],
      cached: image.cached,
      lastUsedAt: image.last_used_at,
    };
  });
}
