import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { LxcError } from '../../wire/errors.js';
import { parseValue } from '../../wire/parse.js';
import type { ProgressEvent, ProgressHandler } from '../../wire/progress.js';
import { Redactor } from '../../wire/redact.js';
import {
  requestUrl,
  type Send,
  type Stored,
  type Target,
  type Upload,
} from '../../wire/request.js';
import { OperationSchema } from '../../wire/schemas.js';
import { storedBy } from '../../requests/import.js';
import { waitOrCancel } from '../../operation/cancel.js';
import { uncut } from '../../operation/cleanup.js';
import type { Endpoint } from './endpoint.js';
import { describe, open, readEnvelope, readText, type HttpCall } from './http.js';

/** What a {@link counter} reports: the stage and label of its events, and the total when known. */
export interface Counted {
  stage: ProgressEvent['stage'];
  label: string;
  total: number | undefined;
}

/** Counts the bytes that pass and reports them (a percent when the total is known). */
export function counter(
  { stage, label, total }: Counted,
  onProgress: ProgressHandler | undefined,
): Transform {
  let bytes = 0;
  let reported = -1;
  const report = (): void => {
    const percent = total ? Math.min(100, Math.floor((bytes / total) * 100)) : undefined;
    const step = percent ?? Math.floor(bytes / (1 << 20));
    if (step === reported) return;
    reported = step;
    onProgress?.({ stage, label, bytes, ...(percent === undefined ? {} : { percent }) });
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (onProgress) report();
      done(null, chunk);
    },
  });
}

// A file name as a header value: printable ASCII that cannot break out of its quotes.
export function quoted(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

// True when a file starts with qcow2's magic (a virtual-machine rootfs).
async function isQcow2(path: string): Promise<boolean> {
  const handle = await openFile(path, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return buffer.equals(Buffer.from([0x51, 0x46, 0x49, 0xfb]));
  } finally {
    await handle.close();
  }
}

/** A split image as `multipart/form-data`: `metadata`, then `rootfs` (`rootfs.img` for a VM). */
async function multipart(
  metadata: string,
  rootfs: string,
): Promise<{ body: Readable; length: number; type: string }> {
  const boundary = randomBytes(24).toString('hex');
  const rootfsPart = (await isQcow2(rootfs)) ? 'rootfs.img' : 'rootfs';
  const head = (name: string, file: string): Buffer =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${quoted(basename(file))}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
  const parts: [Buffer, string][] = [
    [head('metadata', metadata), metadata],
    [head(rootfsPart, rootfs), rootfs],
  ];
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const sizes = await Promise.all(parts.map(async ([, file]) => (await stat(file)).size));
  const length =
    parts.reduce((sum, [header], i) => sum + header.length + (sizes[i] ?? 0) + 2, 0) + tail.length;
  async function* stream(): AsyncGenerator<Buffer> {
    for (const [header, file] of parts) {
      yield header;
      for await (const chunk of createReadStream(file)) yield chunk as Buffer;
      yield Buffer.from('\r\n');
    }
    yield tail;
  }
  return {
    body: Readable.from(stream()),
    length,
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

// A stream's body: image bytes, or an export's body with its own type (multipart) and length.
function streamBody(
  source: Extract<Upload['source'], { kind: 'stream' }>,
  headers: OutgoingHttpHeaders,
): { body: Readable; length?: number; headers: OutgoingHttpHeaders } {
  const { length } = source;
  headers['Content-Type'] = source.contentType ?? 'application/octet-stream';
  if (length === undefined) return { body: source.stream, headers };
  return { body: source.stream, length, headers: { ...headers, 'Content-Length': length } };
}

/** The body of an upload: one file, two files (multipart), or a stream; with its headers. */
export async function uploadBody(
  upload: Upload,
  prefix: string,
): Promise<{ body: Readable; length?: number; headers: OutgoingHttpHeaders }> {
  const headers: OutgoingHttpHeaders = {};
  if (upload.public) headers[`${prefix}-public`] = 'true';
  if (Object.keys(upload.properties).length > 0)
    headers[`${prefix}-properties`] = new URLSearchParams(upload.properties).toString();
  // the daemon refuses data whose sha256 is not the expected fingerprint
  if (upload.fingerprint) headers[`${prefix}-fingerprint`] = upload.fingerprint;
  if (upload.filename) headers[`${prefix}-filename`] = quoted(upload.filename);
  const { source } = upload;
  if (source.kind === 'stream') return streamBody(source, headers);
  const [first, second] = source.files;
  if (first === undefined) throw new LxcError('an upload needs a file');
  if (second === undefined) {
    const length = (await stat(first)).size;
    headers[`${prefix}-filename`] ??= quoted(basename(first));
    return {
      body: createReadStream(first),
      length,
      headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': length },
    };
  }
  const form = await multipart(first, second);
  return {
    body: form.body,
    length: form.length,
    headers: { ...headers, 'Content-Type': form.type, 'Content-Length': form.length },
  };
}

/** A body to POST to `/1.0/images` of an endpoint, and how to wait for its import. */
export interface ImagePost {
  endpoint: Endpoint;
  target: Target;
  body: Readable;
  headers: OutgoingHttpHeaders;
  signal: AbortSignal;
  /** Sends at once: waits for the import operation, and cancels or undoes it on abort. */
  send: Send;
}

/**
 * POSTs a body to `/1.0/images` and waits for the import operation; resolves to what it stored.
 * Once the body is sent whole, the daemon stores the image whatever happens to the connection,
 * so the request is then not cut (see {@link uncut}): an abort waits for the operation, to
 * cancel or undo it.
 */
export async function postImage(post: ImagePost): Promise<Stored> {
  const { endpoint, target, signal } = post;
  const url = requestUrl(
    { method: 'POST', path: '/1.0/images', schema: OperationSchema },
    target.project,
  );
  const kept = uncut(signal);
  const call: HttpCall = {
    method: 'POST',
    url,
    headers: post.headers,
    body: post.body,
    redactor: new Redactor(),
    onSent: kept.sent,
  };
  let response: IncomingMessage;
  let text: string;
  try {
    response = await open(endpoint, call, kept.signal);
    text = await readText(response, kept.signal);
  } finally {
    kept.dispose();
  }
  const command = (): string[] => describe(endpoint, call);
  const answer = { text, response, command, remote: target.remote, redactor: call.redactor };
  const envelope = readEnvelope(answer);
  const op = parseValue(OperationSchema, envelope.metadata, text, { remote: target.remote });
  const done = await waitOrCancel({ send: post.send, target, id: op.id, signal, undo: 'stored' });
  return storedBy(done, target.remote);
}

/**
 * Streams image data into `POST /1.0/images` (octet-stream, or multipart for a split image),
 * with properties and the public flag in `X-LXD-*`/`X-Incus-*` headers, and waits for the
 * import. Nothing is spooled; `onProgress` counts the bytes sent.
 */
export async function uploadImage(
  base: Omit<ImagePost, 'body' | 'headers'>,
  upload: Upload,
): Promise<Stored> {
  const prefix = base.endpoint.flavor === 'incus' ? 'X-Incus' : 'X-LXD';
  const { body, length, headers } = await uploadBody(upload, prefix);
  const counting = { stage: 'import' as const, label: 'Uploading the image', total: length };
  const counted = body.pipe(counter(counting, upload.onProgress));
  body.once('error', (error) => counted.destroy(error));
  // a request cut short leaves its source unread: close it (its file) too
  counted.once('close', () => body.destroy());
  return postImage({ ...base, body: counted, headers });
}
