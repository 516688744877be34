import type { Call } from '../call/call.js';
import { ValidationError } from '../errors.js';
import type { Image } from '../schemas.js';
import type { SecretRead, UntrustedReader } from '../transport/rest/untrusted.js';
import { checkFingerprint, FULL_FINGERPRINT } from '../validate.js';
import { exportInto, exportTarget, type ExportFlags, type ExportResult } from './export.js';

/** The option that makes `images.info` and `images.export` read as an untrusted client. */
export interface SecretOption {
  /**
   * A secret from `images.createSecret` on a client the server trusts: reads a private image of
   * a server that does not trust this client, over HTTPS without a client certificate (the
   * remote's pinned server certificate still applies). Single use (the daemons honour it for
   * about 5 s after its first use).
   */
  secret?: string | undefined;
}

// A secret travels in a query string: printable, no spaces, at most 1 KiB. Never shown.
function checkSecret(value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(value))
    throw new ValidationError(
      'secret',
      'must be 1 to 1024 printable characters without spaces (it is not shown here)',
    );
  return value;
}

// The read of one call: its remote as the config describes it, its target, its secret.
async function secretRead(call: Call, secret: unknown): Promise<SecretRead> {
  const checked = checkSecret(secret);
  const remote = await call.remoteInfo();
  return { remote, target: call.target, secret: checked, signal: call.signal };
}

/**
 * Reads a private image of a server that does not trust this client, with a secret: `fp` is a
 * fingerprint or a unique prefix (aliases of private images are not visible to such a client).
 */
export async function infoWithSecret(
  call: Call,
  read: { reader: UntrustedReader; fp: unknown; secret: unknown },
): Promise<Image> {
  const fingerprint = checkFingerprint(read.fp, 'fp');
  return read.reader.image(await secretRead(call, read.secret), fingerprint);
}

/** What {@link exportWithSecret} exports, and where. */
export interface SecretExport {
  reader: UntrustedReader;
  fp: unknown;
  destination: unknown;
  flags: ExportFlags & SecretOption;
}

/**
 * Exports a private image of a server that does not trust this client, with a secret, as
 * `images.export` does (atomically, sha256 checked). A prefix is first resolved with the same
 * secret, which the daemons honour again right after its first use (as LXD itself does when it
 * pulls a private image: `GetPrivateImage`, then `GetPrivateImageFile`).
 */
export async function exportWithSecret(call: Call, request: SecretExport): Promise<ExportResult> {
  const { reader, flags } = request;
  const given = checkFingerprint(request.fp, 'fp');
  const place = await exportTarget(request.destination);
  const read = await secretRead(call, flags.secret);
  const fingerprint = FULL_FINGERPRINT.test(given)
    ? given
    : (await reader.image(read, given)).fingerprint;
  return exportInto({ ...place, fingerprint, remote: call.remote }, (dir) =>
    reader.download(read, { fingerprint, dir, onProgress: flags.onProgress }),
  );
}
