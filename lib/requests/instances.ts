import { z } from 'zod';
import { apiPath, type ApiRequest } from '../wire/request.js';
import { OperationSchema, type Operation } from '../wire/schemas.js';
import type { CheckedPublish, PublishSource } from '../wire/checks-publish.js';

/** An instance or snapshot, as much of it as a publish reads. */
export const InstanceSchema = z.looseObject({
  name: z.string(),
  status: z.string().default(''),
  ephemeral: z.boolean().default(false),
  config: z
    .record(z.string(), z.string())
    .nullish()
    .transform((config) => config ?? {}),
});
/** An instance or snapshot, as much of it as a publish reads. */
export type Instance = z.output<typeof InstanceSchema>;

const instancePath = (name: string, ...rest: string[]): string =>
  apiPath('1.0', 'instances', name, ...rest);

/** `GET /1.0/instances/<name>`, or `…/snapshots/<snapshot>` for a snapshot. */
export function subjectRequest(source: PublishSource): ApiRequest<Instance> {
  const path =
    source.snapshot === undefined
      ? instancePath(source.instance)
      : instancePath(source.instance, 'snapshots', source.snapshot);
  return { method: 'GET', path, schema: InstanceSchema };
}

/** The properties of an instance's image, as its `image.*` config keys recorded them. */
export function imageProperties(config: Readonly<Record<string, string>>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(config))
    if (key.startsWith('image.')) properties[key.slice('image.'.length)] = value;
  return properties;
}

/**
 * `POST /1.0/images` with an instance or snapshot source. `properties` are sent only when given
 * (LXD 5.0 replaces the image's own with them, so the caller merges first); no aliases in the
 * body (the daemon would leave an image without them when one is taken).
 */
export function publishRequest(
  source: PublishSource,
  checked: CheckedPublish,
): ApiRequest<Operation> {
  const { properties } = checked;
  const snapshot = source.snapshot !== undefined;
  return {
    method: 'POST',
    path: '/1.0/images',
    body: {
      source: {
        type: snapshot ? 'snapshot' : 'instance',
        name: snapshot ? `${source.instance}/${source.snapshot}` : source.instance,
      },
      public: checked.public,
      ...(properties === undefined ? {} : { properties }),
      ...(checked.expiresAt === undefined ? {} : { expires_at: checked.expiresAt.toISOString() }),
      ...(checked.compression === undefined ? {} : { compression_algorithm: checked.compression }),
    },
    schema: OperationSchema,
  };
}

/** `PUT /1.0/instances/<name>/state`: stop (forced, as `lxc publish --force`) or start. */
export function stateRequest(name: string, action: 'stop' | 'start'): ApiRequest<Operation> {
  return {
    method: 'PUT',
    path: instancePath(name, 'state'),
    body: action === 'stop' ? { action, timeout: -1, force: true } : { action, timeout: -1 },
    schema: OperationSchema,
  };
}

/** The same start, waited for (`lxc query --wait`, or the REST transport's wait). */
export function startAndWaitRequest(name: string): ApiRequest {
  return { ...stateRequest(name, 'start'), wait: true, schema: z.unknown() };
}

/** `PATCH /1.0/instances/<name>` with `{ephemeral}` (kept through a forced stop, as the CLI does). */
export function ephemeralRequest(name: string, ephemeral: boolean): ApiRequest {
  return {
    method: 'PATCH',
    path: instancePath(name),
    body: { ephemeral },
    wait: true,
    schema: z.unknown(),
  };
}
