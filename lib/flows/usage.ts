import type { Call } from '../call/call.js';
import { RemoteError } from '../wire/errors.js';
import type { Image } from '../wire/schemas.js';
import { checkBoolean } from '../wire/validate.js';
import { projectsRequest } from '../requests/images.js';
import {
  imageProjectOf,
  instancesRequest,
  usageOf,
  type ImageUsage,
  type InstanceEntry,
  type ProjectImages,
} from '../requests/usage.js';
import { listImages } from './list.js';

/** Options of `images.usage` (besides the common call options). */
export interface UsageFlags {
  /** The images of every project, each with the instances that use it. */
  allProjects?: boolean | undefined;
}

/** The images of a remote, with what uses each. */
export interface ImageFacts {
  /** The images, each with its `project`. */
  images: Image[];
  /** Their usage, in the same order. */
  usage: ImageUsage[];
}

// The instances with their snapshots: of every project in one listing where the server can.
async function listInstances(
  call: Call,
  projects: readonly ProjectImages[],
): Promise<InstanceEntry[]> {
  if (await call.has('instance_all_projects'))
    return call.at({ remote: call.remote }).send({ api: instancesRequest() });
  const lists = await Promise.all(
    projects.map(async ({ name }) => {
      const found = await call
        .at({ remote: call.remote, project: name })
        .send({ api: instancesRequest(true) });
      return found.map((instance) => ({ ...instance, project: name }));
    }),
  );
  return lists.flat();
}

/**
 * The images of the call's project (of every project with `allProjects`), and what uses each:
 * one listing of the projects, one of the images (one per project on LXD 5.0, which lacks
 * `images_all_projects`), one of the instances with their snapshots. Not a request per image.
 */
export async function imageFacts(call: Call, allProjects: boolean): Promise<ImageFacts> {
  if (await call.isPublic())
    throw new RemoteError(
      `"${call.remote}" is a public image server: it has no instances and its images are not ours to delete`,
      { remote: call.remote },
    );
  const listing = call.send({ api: projectsRequest() });
  const [projects, listed, instances] = await Promise.all([
    listing,
    listImages(call, { allProjects }),
    listing.then((all) => listInstances(call, all)),
  ]);
  const name = call.target.project ?? 'default';
  const own = imageProjectOf(projects.find((p) => p.name === name) ?? { name });
  const images = listed.map((image) =>
    image.project === undefined ? { ...image, project: own } : image,
  );
  return { images, usage: usageOf({ images, instances, projects }) };
}

/** `images.usage`: what uses each image (aliases, instances, snapshots). */
export async function imagesUsage(call: Call, flags: UsageFlags): Promise<ImageUsage[]> {
  return (await imageFacts(call, checkBoolean(flags.allProjects, 'allProjects') ?? false)).usage;
}
