import { z } from 'zod';
import { parseJson } from '../wire/parse.js';
import { apiPath, listing } from '../wire/request.js';
import type { ApiRequest, CliRequest, Request } from '../wire/request.js';
import {
  ImageListSchema,
  ImageSchema,
  OperationSchema,
  type Image,
  type Operation,
} from '../wire/schemas.js';
import { applyFilters } from './list-filter.js';

/** `GET /1.0/images/<fingerprint or prefix>` */
export function imageRequest(fingerprint: string): ApiRequest<Image> {
  return { method: 'GET', path: apiPath('1.0', 'images', fingerprint), schema: ImageSchema };
}

/** `GET /1.0/images?recursion=1`: every image of the project, in one request. */
export function allImagesRequest(): ApiRequest<Image[]> {
  return listing('/1.0/images', ImageListSchema);
}

/** `GET /1.0/images?recursion=1&filter=fingerprint eq A or …`: just these images (`api_filtering`). */
export function someImagesRequest(fingerprints: readonly string[]): ApiRequest<Image[]> {
  const filter = fingerprints.map((fp) => `fingerprint eq ${fp}`).join(' or ');
  return { ...allImagesRequest(), query: { recursion: '1', filter } };
}

/** `image list <remote>: <filters> --format=json`: the CLI's listing, which reads simplestreams too. */
export function imageListCommand(remote: string, filters: readonly string[]): CliRequest<Image[]> {
  return {
    args: ['image', 'list', `${remote}:`, ...filters, '--format=json'],
    parse: (stdout) => parseJson(ImageListSchema, stdout, { remote }),
  };
}

/**
 * A simplestreams (public) remote's images with `lxc image list` filters: the CLI's listing, or
 * the index read in the client where the transport can.
 */
export function publicListRequest(remote: string, filters: readonly string[]): Request<Image[]> {
  return { cli: imageListCommand(remote, filters), simplestreams: { images: filters } };
}

/** A public remote's listing narrowed to what `ref` may name (not by a ref that looks like `k=v`). */
export function refListRequest(remote: string, ref: string): Request<Image[]> {
  return publicListRequest(remote, ref.includes('=') ? [] : [ref]);
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
  return { ...publicListRequest(remote, filters), api: filteredListRequest(filters) };
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

/** The fingerprints behind `/1.0/images` (URLs ending in the fingerprint). */
export const UrlListSchema = z
  .array(z.string())
  .nullable()
  .transform((urls) => (urls ?? []).map((url) => url.split('?')[0]?.split('/').pop() ?? url));

/** `GET /1.0/images`: the fingerprints only. */
export function fingerprintsRequest(): ApiRequest<string[]> {
  return { method: 'GET', path: '/1.0/images', schema: UrlListSchema };
}

const ProjectsSchema = z.array(
  z.looseObject({ name: z.string(), config: z.record(z.string(), z.string()).nullish() }),
);

/** `GET /1.0/projects?recursion=1` */
export function projectsRequest(): ApiRequest<z.output<typeof ProjectsSchema>> {
  return listing('/1.0/projects', ProjectsSchema, true);
}

/** `DELETE /1.0/images/<fp>`: waits for the operation, or resolves to it when `wait` is false. */
export function deleteRequest(
  fingerprint: string,
  wait: boolean,
): ApiRequest<Operation | undefined> {
  return {
    method: 'DELETE',
    path: apiPath('1.0', 'images', fingerprint),
    wait,
    schema: wait ? z.unknown().transform(() => undefined) : OperationSchema,
  };
}

/** `POST /1.0/images/<fp>/refresh`: a background operation whose metadata says `refreshed`. */
export function refreshRequest(fingerprint: string): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: apiPath('1.0', 'images', fingerprint, 'refresh'),
    schema: OperationSchema,
  };
}

const SecretOperationSchema = OperationSchema.refine(
  (op) => typeof op.metadata.secret === 'string',
  { message: 'the operation has no metadata.secret' },
);

/** `POST /1.0/images/<fp>/secret`: a token operation with the secret in its metadata. */
export function secretRequest(fingerprint: string): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: apiPath('1.0', 'images', fingerprint, 'secret'),
    schema: SecretOperationSchema,
  };
}
