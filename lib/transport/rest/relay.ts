import type { OutgoingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LxcError } from '../../wire/errors.js';
import type { Relay, Send, Stored, Target } from '../../wire/request.js';
import type { Endpoint } from './endpoint.js';
import { counter, postImage, quoted } from './upload.js';
import { openExport } from './download.js';

/**
 * Copies through this client without a temporary file: the source's export stream (octet-stream
 * or multipart, as it comes) is the body of the target's upload.
 */
export async function relayImage(
  ends: { source: Endpoint; from: Target; target: Endpoint; send: Send },
  relay: Relay,
  signal: AbortSignal,
): Promise<Stored> {
  const { source, from, target, send } = ends;
  const response = await openExport({ endpoint: source, target: from, signal }, relay.fingerprint);
  const prefix = target.flavor === 'incus' ? 'X-Incus' : 'X-LXD';
  const length = Number(response.headers['content-length'] ?? NaN);
  const headers: OutgoingHttpHeaders = {
    'Content-Type': response.headers['content-type'] ?? 'application/octet-stream',
  };
  if (Number.isFinite(length)) headers['Content-Length'] = length;
  headers[`${prefix}-fingerprint`] = relay.fingerprint; // the target refuses other data
  if (relay.public) headers[`${prefix}-public`] = 'true';
  if (relay.filename) headers[`${prefix}-filename`] = quoted(relay.filename);
  const body = new PassThrough();
  pipeline(
    response,
    counter(
      {
        stage: 'copy',
        label: 'Relaying the image',
        total: Number.isFinite(length) ? length : undefined,
      },
      relay.onProgress,
    ),
    body,
  ).catch((error: unknown) => {
    body.destroy(error as Error);
  });
  const stored = await postImage({
    endpoint: target,
    target: relay.to,
    body,
    headers,
    signal,
    send,
  });
  if (stored.fingerprint !== relay.fingerprint) {
    throw new LxcError(
      `the relayed image has fingerprint ${stored.fingerprint}, not ${relay.fingerprint}`,
      { remote: relay.to.remote },
    );
  }
  return stored;
}
