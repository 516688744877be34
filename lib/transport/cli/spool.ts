import { join } from 'node:path';
import { LxcError } from '../../wire/errors.js';
import { metadataFirst, sha256Files } from '../../wire/hash.js';
import type { Download, Spool, SpoolRequest, Target } from '../../wire/request.js';

/**
 * Reads an image once into `request.dir` with `export` (the CLI writes whole files), checks
 * that the files' sha256 is the fingerprint, and hands them out as the source of every upload.
 */
export async function spoolFiles(
  end: {
    download: (target: Target, download: Download, signal: AbortSignal) => Promise<string[]>;
    target: Target;
    signal: AbortSignal;
  },
  request: SpoolRequest,
): Promise<Spool> {
  const { target } = end;
  const names = await end.download(target, request, end.signal);
  // metadata first, as the daemon hashes a split image
  const files = metadataFirst(names).map((name) => join(request.dir, name));
  const digest = await sha256Files(...files);
  if (digest !== request.fingerprint) {
    throw new LxcError(`the exported data's sha256 is ${digest}, not ${request.fingerprint}`, {
      remote: target.remote,
    });
  }
  return {
    whole: Promise.resolve(),
    source: () => ({ kind: 'files', files }),
    close: () => undefined,
  };
}
