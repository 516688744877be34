import type { Image, ImageAlias } from '../../wire/schemas.js';
import type { Flavor } from './arch.js';
import type { AliasEntry } from './catalog.js';
import type { StreamImage } from './convert.js';

// A timestamp as ImageSchema reads it: `null` for the epoch and anything before it.
function timestamp(rfc3339: string): Date | null {
  const date = new Date(rfc3339);
  return date.getTime() > 0 ? date : null;
}

/**
 * The {@link Image} the CLI transport gives for the same image: what `lxc image list
 * <remote>: --format=json` prints for it (Incus adds an empty `project`), read by ImageSchema.
 */
export function toImage(image: StreamImage, flavor: Flavor): Image {
  const shaped: Partial<Image> = {
    fingerprint: image.fingerprint,
    aliases: (image.aliases ?? []).map((name) => ({ name, description: '' })),
    architecture: image.architecture,
    auto_update: false,
    cached: false,
    filename: image.filename,
    properties: { ...image.properties },
    public: true,
    size: image.size,
    type: image.type,
    profiles: [],
    ...(flavor === 'incus' ? { project: '' } : {}),
    created_at: timestamp(image.created),
    expires_at: timestamp(image.expires),
    last_used_at: null,
    uploaded_at: timestamp(image.created),
  };
  // ImageSchema leaves `update_source` out when the CLI prints none, as it does here
  return shaped as Image;
}

/** The {@link ImageAlias} that `lxc image alias list <remote>: --format=json` prints. */
export function toAlias(entry: AliasEntry): ImageAlias {
  return { name: entry.name, description: '', target: entry.target, type: entry.type };
}
