import type { Call } from '../call/call.js';
import { monotonic } from '../wire/progress.js';
import type { Stored } from '../wire/request.js';
import type { Image, ImageAlias } from '../wire/schemas.js';
import {
  checkImportFlags,
  uploadSource,
  type ImportFlags,
  type ImportSource,
} from '../wire/checks-transfer.js';
import { checkImageUrl } from '../wire/checks.js';
import { imageRequest } from '../requests/images.js';
import { storedBy, uploadRequest, urlImportRequest } from '../requests/import.js';
import { runOperation } from '../operation/run.js';
import { undoOnAbort, type UndoStep } from '../operation/undo.js';
import { pointAliases } from './aliases.js';

/** The undo of a call that stored an image: moved aliases back (last moved first), then its image. */
export function undoStored(moved: readonly ImageAlias[], stored?: Stored): UndoStep[] {
  const aliases = [...moved].reverse().map((alias) => ({ restoreAlias: alias }));
  if (!stored) return aliases;
  return [...aliases, { deleteImage: stored.fingerprint, since: stored.since }];
}

/**
 * Points the aliases at an image that a call has just stored and reads it back. When the call
 * is aborted meanwhile, the aliases it moved are put back and the image it stored is deleted
 * again: an aborted import leaves nothing and loses nothing.
 */
export async function finishImport(call: Call, stored: Stored, aliases: string[]): Promise<Image> {
  const moved: ImageAlias[] = [];
  return undoOnAbort(
    call.context,
    () => undoStored(moved, stored),
    async () => {
      await pointAliases(call, stored.fingerprint, aliases, moved);
      return call.send({ api: imageRequest(stored.fingerprint) });
    },
  );
}

/** `images.import`: uploads image data, points the aliases at it, and reads it back. */
export async function importImage(
  call: Call,
  source: ImportSource,
  flags: ImportFlags,
): Promise<Image> {
  const checked = checkImportFlags(flags);
  const upload = await uploadSource(source);
  const stored = await call.send(
    uploadRequest({
      source: upload,
      properties: checked.properties,
      public: checked.public,
      onProgress: monotonic(checked.onProgress),
    }),
  );
  return finishImport(call, stored, checked.aliases);
}

/** `images.importFromUrl`: the daemon downloads from a URL that answers `LXD-Image-URL`/`-Hash`. */
export async function importFromUrl(call: Call, url: unknown, flags: ImportFlags): Promise<Image> {
  const checked = checkImportFlags(flags);
  const start = urlImportRequest(checkImageUrl(url), checked);
  const done = await runOperation({ ...call.context, start, undo: 'stored' });
  return finishImport(call, storedBy(done, call.remote), checked.aliases);
}
