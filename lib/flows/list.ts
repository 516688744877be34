import type { Call } from '../call/call.js';
import type { Image } from '../wire/schemas.js';
import { checkFilters } from '../wire/checks.js';
import {
  allProjectsRequest,
  fingerprintsRequest,
  listRequest,
  projectsRequest,
  publicListRequest,
} from '../requests/images.js';

/** Options of `images.list` (besides the common call options). */
export interface ListFilterOptions {
  /** `lxc image list` filters: `os=ubuntu`, a fingerprint prefix, part of an alias. */
  filter?: string | readonly string[] | undefined;
  /** Images of every project; each image gets its `project`. */
  allProjects?: boolean | undefined;
}

// Servers without `images_all_projects` (LXD 5.0): list every project that keeps its own images.
async function listEachProject(call: Call, filters: string[]): Promise<Image[]> {
  const projects = await call.send({ api: projectsRequest() });
  const own = projects.filter(
    (p) => p.name === 'default' || p.config?.['features.images'] === 'true',
  );
  const lists = await Promise.all(
    own.map(async (p) => {
      const images = await call
        .at({ remote: call.remote, project: p.name })
        .send(listRequest(call.remote, filters));
      return images.map((image) => ({ ...image, project: p.name }));
    }),
  );
  return lists.flat();
}

/** `images.list`: lists images, on LXD and simplestreams remotes alike. */
export async function listImages(call: Call, options: ListFilterOptions): Promise<Image[]> {
  const filters = checkFilters(options.filter);
  if (!options.allProjects || (await call.isPublic()))
    return call.send(listRequest(call.remote, filters));
  if (await call.has('images_all_projects')) {
    return call.at({ remote: call.remote }).send(allProjectsRequest(call.remote, filters));
  }
  return listEachProject(call, filters);
}

/** `images.fingerprints`: the fingerprints of all images. */
export async function listFingerprints(call: Call): Promise<string[]> {
  if (await call.isPublic()) {
    const images = await call.send(publicListRequest(call.remote, []));
    return images.map((image) => image.fingerprint);
  }
  return call.send({ api: fingerprintsRequest() });
}
