import { z } from 'zod';
import { apiPath, type ApiRequest } from '../wire/request.js';
import type { Image } from '../wire/schemas.js';

/** The property `images.ensure` stamps on an image it published from a snapshot. */
export const PROVENANCE = 'lxc-images.source';

/** A snapshot, as much of it as names it for good: its creation time. */
const SnapshotSchema = z.looseObject({
  name: z.string(),
  created_at: z.string().default(''),
  config: z
    .record(z.string(), z.string())
    .nullish()
    .transform((config) => config ?? {}),
});
/** A snapshot, as much of it as `ensure` reads. */
export type Snapshot = z.output<typeof SnapshotSchema>;

/** `GET /1.0/instances/<instance>/snapshots/<snapshot>` */
export function snapshotRequest(instance: string, snapshot: string): ApiRequest<Snapshot> {
  const path = apiPath('1.0', 'instances', instance, 'snapshots', snapshot);
  return { method: 'GET', path, schema: SnapshotSchema };
}

/**
 * What names a snapshot for good: `c1/snap0@<its creation time>`, so that a snapshot deleted and
 * made again under the same name is another source.
 */
export function snapshotProvenance(instance: string, snapshot: Snapshot): string {
  return `${instance}/${snapshot.name.split('/').pop() ?? ''}@${snapshot.created_at}`;
}

/** The newest image stamped with `provenance`, if any. */
export function publishedFrom(images: readonly Image[], provenance: string): Image | undefined {
  const stamped = images.filter((image) => image.properties[PROVENANCE] === provenance);
  const time = (image: Image): number => image.uploaded_at?.getTime() ?? 0;
  return stamped.sort((a, b) => time(b) - time(a))[0];
}
