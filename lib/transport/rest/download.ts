import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { LxcError } from '../../wire/errors.js';
import { Redactor } from '../../wire/redact.js';
import { apiPath, requestUrl, type Download, type Target } from '../../wire/request.js';
import { OperationSchema } from '../../wire/schemas.js';
import type { Endpoint } from './endpoint.js';
import { describe, open, readEnvelope, readText, type HttpCall } from './http.js';
import { counter } from './upload.js';

/** Where an export is read from. */
export interface ExportEnd {
  endpoint: Endpoint;
  target: Target;
  signal: AbortSignal;
  /** The secret of a client the server does not trust: sent as `?secret=`, redacted everywhere. */
  secret?: string | undefined;
}

/** `GET /1.0/images/<fp>/export`, or the classified error when the daemon refuses. */
export async function openExport(
  { endpoint, target, signal, secret }: ExportEnd,
  fingerprint: string,
): Promise<IncomingMessage> {
  const path = apiPath('1.0', 'images', fingerprint, 'export');
  const query = secret === undefined ? undefined : { secret };
  const call: HttpCall = {
    method: 'GET',
    url: requestUrl({ method: 'GET', path, query, schema: OperationSchema }, target.project),
    redactor: new Redactor(secret === undefined ? [] : [secret]),
  };
  const response = await open(endpoint, call, signal);
  if ((response.statusCode ?? 0) >= 400) {
    const text = await readText(response, signal);
    const command = (): string[] => describe(endpoint, call);
    readEnvelope({ text, response, command, remote: target.remote, redactor: call.redactor });
  }
  return response;
}

/** A file name the daemon gave, if it is a plain one; `fallback` otherwise. */
export function safeName(name: string | undefined, fallback: string): string {
  const base = name === undefined ? '' : basename(name);
  return /^[\w][\w.+-]*$/.test(base) ? base : fallback;
}

/**
 * Streams an export into `download.dir`: one file for a unified image (named as the daemon
 * says), two for a split one (multipart: `meta-<fp>…` then `<fp>…`). The data's sha256 must
 * be the fingerprint.
 */
export async function downloadImage(end: ExportEnd, download: Download): Promise<string[]> {
  const { target, signal } = end;
  const { fingerprint, dir } = download;
  const response = await openExport(end, fingerprint);
  const hash = createHash('sha256');
  const length = Number(response.headers['content-length'] ?? NaN);
  const total = Number.isFinite(length) ? length : undefined;
  const count = counter(
    { stage: 'export', label: 'Exporting the image', total },
    download.onProgress,
  );
  const write = async (source: Readable, name: string): Promise<void> => {
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(source, hashing, createWriteStream(join(dir, name)), { signal });
  };
  const names: string[] = [];
  const type = response.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const parser = busboy({ headers: response.headers, limits: { files: 2, fields: 0 } });
    const files: Promise<void>[] = [];
    parser.on('file', (field, stream, info) => {
      const name = safeName(
        info.filename,
        field === 'metadata' ? `meta-${fingerprint}` : fingerprint,
      );
      names.push(name);
      files.push(write(stream, name));
    });
    await pipeline(response, count, parser, { signal });
    await Promise.all(files);
  } else {
    const disposition = /filename=("?)([^";]+)\1/.exec(
      response.headers['content-disposition'] ?? '',
    )?.[2];
    const name = safeName(disposition, fingerprint);
    names.push(name);
    await write(response.pipe(count), name);
  }
  const digest = hash.digest('hex');
  if (digest !== fingerprint) {
    throw new LxcError(
      `the exported data's sha256 is ${digest}, not the fingerprint ${fingerprint}`,
      { remote: target.remote },
    );
  }
  return names;
}
