import { z } from 'zod';
import { apiPath, listing } from '../wire/request.js';
import type { ApiRequest, Request } from '../wire/request.js';
import { aliasListCommand } from './public-aliases.js';
import { ImageAliasListSchema, ImageAliasSchema, type ImageAlias } from '../wire/schemas.js';

const path = (name: string): string => apiPath('1.0', 'images', 'aliases', name);

/** `GET /1.0/images/aliases/<name>` */
export function aliasRequest(name: string): ApiRequest<ImageAlias> {
  return { method: 'GET', path: path(name), schema: ImageAliasSchema };
}

/** Lists aliases: `GET /1.0/images/aliases?recursion=1`, or the CLI's listing on simplestreams. */
export function aliasListRequest(remote: string, isPublic: boolean): Request<ImageAlias[]> {
  if (isPublic) return { cli: aliasListCommand(remote), simplestreams: { aliases: true } };
  return { api: listing('/1.0/images/aliases', ImageAliasListSchema) };
}

/** `POST /1.0/images/aliases` */
export function createAliasRequest(body: Record<string, unknown>): ApiRequest {
  return { method: 'POST', path: '/1.0/images/aliases', body, schema: z.unknown() };
}

/** `PUT /1.0/images/aliases/<name>`: both fields (a PUT without `description` clears it). */
export function putAliasRequest(
  name: string,
  target: string,
  description: string,
  etag: string | undefined,
): ApiRequest {
  return {
    method: 'PUT',
    path: path(name),
    body: { target, description },
    etag,
    schema: z.unknown(),
  };
}

/** `POST /1.0/images/aliases/<name>` with the new name. */
export function renameAliasRequest(name: string, newName: string): ApiRequest {
  return { method: 'POST', path: path(name), body: { name: newName }, schema: z.unknown() };
}

/** `DELETE /1.0/images/aliases/<name>` */
export function deleteAliasRequest(name: string): ApiRequest {
  return { method: 'DELETE', path: path(name), schema: z.unknown() };
}

/** The lock key of an alias: writes to one alias run one at a time within a client. */
export function aliasKey(name: string): string {
  return `alias ${name}`;
}
