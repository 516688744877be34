import { ParseError } from '../wire/errors.js';
import type {
  ApiRequest,
  Download,
  ProbeReply,
  Relay,
  Request,
  Spool,
  SpoolRequest,
  Stored,
  Upload,
} from '../wire/request.js';
import { OperationSchema, type Operation } from '../wire/schemas.js';
import { FULL_FINGERPRINT } from '../wire/validate.js';

/** Uploads image data into `POST /1.0/images`; resolves to what it stored. */
export function uploadRequest(upload: Upload): Request<Stored> {
  return { upload };
}

/** Exports an image into an empty directory; resolves to the names of the files written. */
export function downloadRequest(download: Download): Request<string[]> {
  return { download };
}

/**
 * Copies an image through this client to `relay.to`; resolves to what it stored there, or
 * `undefined` when the target had the image (the CLI's relay then skips the upload).
 */
export function relayRequest(relay: Relay): Request<Stored | undefined> {
  return { relay };
}

/** Reads an image once into a temporary file, for uploads to many; resolves as it begins. */
export function spoolRequest(spool: SpoolRequest): Request<Spool> {
  return { spool };
}

/** `HEAD <url>` from this client, as the daemon asks before a URL import (its image hash header). */
export function probeRequest(url: string): Request<ProbeReply> {
  return { probe: { url } };
}

/** `POST /1.0/images` with a `url` source: the daemon downloads the image itself. */
export function urlImportRequest(
  url: string,
  flags: { public: boolean; properties: Readonly<Record<string, string>> },
): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: '/1.0/images',
    body: {
      source: { type: 'url', url },
      public: flags.public,
      properties: flags.properties,
    },
    schema: OperationSchema,
  };
}

/** The fingerprint an import operation reports. */
export function importedFingerprint(op: Operation, remote: string): string {
  const fingerprint = op.metadata.fingerprint;
  if (typeof fingerprint !== 'string' || !FULL_FINGERPRINT.test(fingerprint))
    throw new ParseError('the import operation has no fingerprint', JSON.stringify(op), { remote });
  return fingerprint;
}

/** The start of time: the `since` of a stored image whose operation was not seen (see {@link storedBy}). */
export const EPOCH = new Date(0);

/**
 * What a finished import operation stored. A successful upload always stored a new image (the
 * daemons refuse an upload of an image they have), so when the operation's start is unknown,
 * any earlier time holds: {@link EPOCH}.
 */
export function storedBy(op: Operation, remote: string): Stored {
  return { fingerprint: importedFingerprint(op, remote), since: op.created_at ?? EPOCH };
}
