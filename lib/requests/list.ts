import { z } from 'zod';
import type { Call } from '../call/call.js';
import { ValidationError } from '../errors.js';
import { ImageListSchema, type Image } from '../schemas.js';
import { serverHas } from './server.js';
import { applyFilters } from './list-filter.js';
import { allImagesRequest, imageListCommand, UrlListSchema } from './lookup.js';
import type { ApiRequest, Request } from './request.js';
import { shown } from '../validate.js';

/** Options of `images.list` (besides the common call options). */
export interface ListFilterOptions {
  /** `lxc image list` filters: `os=ubuntu`, a fingerprint prefix, part of an alias. */
  filter?: string | readonly string[] | undefined;
  /** Images of every project; each image gets its `project`. */
  allProjects?: boolean | undefined;
}

const ProjectsSchema = z.array(
  z.looseObject({ name: z.string(), config: z.record(z.string(), z.string()).nullish() }),
);

/** Checks list filters: strings without control characters that cannot become flags. */
export function checkFilters(filter: unknown): string[] {
  if (filter === undefined) return [];
  const list: unknown[] = Array.isArray(filter) ? filter : [filter];
  return list.map((item, i) => {
    if (
      typeof item !== 'string' ||
      item === '' ||
      item.startsWith('-') ||
      /[\u0000-\u001f\u007f]/.test(item)
    ) {
      throw new ValidationError(`filter[${i}]`, `not a valid filter: ${shown(item)}`);
    }
    return item;
  });
}

// `GET /1.0/images?recursion=1`, filtered by the CLI's own rule.
function filteredListRequest(filters: readonly string[]): ApiRequest<Image[]> {
  return {
    ...allImagesRequest(),
    schema: ImageListSchema.transform((images) => applyFilters(images, filters)),
  };
}

/**
 * Lists images with `filters`: `lxc image list` on the CLI (its filters are the reference),
 * `GET /1.0/images?recursion=1` filtered by the same rule on REST.
 */
export function listRequest(remote: string, filters: readonly string[]): Request<Image[]> {
  return { api: filteredListRequest(filters), cli: imageListCommand(remote, filters) };
}

/** Lists the images of every project (`images_all_projects`). */
export function allProjectsRequest(remote: string, filters: readonly string[]): Request<Image[]> {
  const cli = imageListCommand(remote, filters);
  return {
    api: {
      ...filteredListRequest(filters),
      query: { recursion: '1', 'all-projects': 'true' },
      global: true,
    },
    cli: { ...cli, args: [...cli.args, '--all-projects'] },
  };
}

/** `GET /1.0/images`: the fingerprints only. */
export function fingerprintsRequest(): ApiRequest<string[]> {
  return { method: 'GET', path: '/1.0/images', schema: UrlListSchema };
}

// Servers without `images_all_projects` (LXD 5.0): list every project that keeps its own images.
async function listEachProject(call: Call, filters: string[]): Promise<Image[]> {
  const projects = await call.send({
    api: {
      method: 'GET',
      path: '/1.0/projects',
      query: { recursion: '1' },
      schema: ProjectsSchema,
      global: true,
    },
  });
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

/** Lists images, on LXD and simplestreams remotes alike. */
export async function listImages(call: Call, options: ListFilterOptions): Promise<Image[]> {
  const filters = checkFilters(options.filter);
  if (!options.allProjects || (await call.isPublic()))
    return call.send(listRequest(call.remote, filters));
  if (await serverHas(call, 'images_all_projects')) {
    return call.at({ remote: call.remote }).send(allProjectsRequest(call.remote, filters));
  }
  return listEachProject(call, filters);
}

/** Lists the fingerprints of all images. */
export async function listFingerprints(call: Call): Promise<string[]> {
  if (await call.isPublic()) {
    const images = await call.send({ cli: imageListCommand(call.remote, []) });
    return images.map((image) => image.fingerprint);
  }
  return call.send({ api: fingerprintsRequest() });
}
