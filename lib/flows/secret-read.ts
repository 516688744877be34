import type { Call } from '../call/call.js';
import { monotonic } from '../wire/progress.js';
import type { Image } from '../wire/schemas.js';
import { exportTarget } from '../wire/checks-transfer.js';
import { checkProgress, checkSecret } from '../wire/checks.js';
import { checkFingerprint, FULL_FINGERPRINT } from '../wire/validate.js';
import { imageRequest } from '../requests/images.js';
import { downloadRequest } from '../requests/import.js';
import { exportInto, type ExportFlags, type ExportResult } from './export.js';

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

/**
 * `images.info` with a secret: a private image of a server that does not trust this client, by
 * fingerprint or unique prefix (such a client sees no aliases of private images).
 */
export function infoWithSecret(call: Call, fp: unknown, secret: unknown): Promise<Image> {
  const fingerprint = checkFingerprint(fp, 'fp');
  return call.send({ api: imageRequest(fingerprint), secret: checkSecret(secret) });
}

/**
 * `images.export` with a secret, atomically and sha256 checked as any export. A prefix is first
 * resolved with the same secret, which the daemons honour again right after its first use (as
 * LXD itself does when it pulls a private image: `GetPrivateImage`, then `GetPrivateImageFile`).
 */
export async function exportWithSecret(
  call: Call,
  fp: unknown,
  destination: unknown,
  flags: ExportFlags & SecretOption,
): Promise<ExportResult> {
  const given = checkFingerprint(fp, 'fp');
  const secret = checkSecret(flags.secret);
  const onProgress = monotonic(checkProgress(flags.onProgress));
  const place = await exportTarget(destination);
  const fingerprint = FULL_FINGERPRINT.test(given)
    ? given
    : (await call.send({ api: imageRequest(given), secret })).fingerprint;
  return exportInto({ ...place, fingerprint, remote: call.remote }, (dir) =>
    call.send({ ...downloadRequest({ fingerprint, dir, onProgress }), secret }),
  );
}
