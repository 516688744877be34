import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AbortError, LxcError } from '../../wire/errors.js';
import type { Spool, SpoolRequest } from '../../wire/request.js';
import { openExport, type ExportEnd } from './download.js';
import { Growing } from './follow.js';
import { counter } from './upload.js';

// Passes the export through while working out its fingerprint: the sha256 of the body, or of
// the parts of a multipart body (metadata, then rootfs), as the daemon hashes them.
function verifier(headers: IncomingHttpHeaders, fingerprint: string): Transform {
  const hash = createHash('sha256');
  const multipart = (headers['content-type'] ?? '').startsWith('multipart/form-data');
  const parser = multipart ? busboy({ headers, limits: { files: 2, fields: 0 } }) : undefined;
  parser?.on('file', (_field, stream) => stream.on('data', (data: Buffer) => hash.update(data)));
  const check = (done: (error?: Error | null) => void): void => {
    const digest = hash.digest('hex');
    if (digest === fingerprint) done(null);
    else done(new LxcError(`the exported data's sha256 is ${digest}, not ${fingerprint}`));
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (parser) parser.write(chunk);
      else hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (!parser) {
        check(done);
        return;
      }
      parser
        .once('close', () => {
          check(done);
        })
        .once('error', done);
      parser.end();
    },
  });
}

// Tells the readers how the writing ended: whole, or failed.
async function settle(growing: Growing, writing: Promise<void>): Promise<void> {
  try {
    await writing;
    growing.ended = true;
  } catch (error) {
    growing.failure = error instanceof Error ? error : new LxcError(String(error));
    throw growing.failure;
  } finally {
    growing.emit('change');
  }
}

/**
 * Reads an image's export once into `dir/export`, as the daemon sends it, and checks that its
 * sha256 is the fingerprint. Resolves once the export has begun: each {@link Spool.source} is
 * a reader that follows the file as it is written, so that uploads to many targets go at their
 * own pace while the source is read once.
 */
export async function spoolExport(end: ExportEnd, request: SpoolRequest): Promise<Spool> {
  const response = await openExport(end, request.fingerprint);
  const path = join(request.dir, 'export');
  const file = await openFile(path, 'wx').catch((error: unknown) => {
    response.destroy();
    throw error;
  });
  const length = Number(response.headers['content-length'] ?? NaN);
  const known = Number.isFinite(length) ? { length } : {};
  const contentType = response.headers['content-type'] ?? 'application/octet-stream';
  const growing = new Growing(path);
  const stop = new AbortController();
  const counted = { stage: 'export' as const, label: 'Reading the image', total: known.length };
  const count = counter(counted, request.onProgress);
  const check = verifier(response.headers, request.fingerprint);
  const signal = AbortSignal.any([end.signal, stop.signal]);
  const whole = settle(growing, pipeline(response, count, check, growing.writer(file), { signal }))
    .finally(() => file.close())
    .then(() => undefined);
  whole.catch(() => undefined); // a spool nobody waits for must not be an unhandled rejection
  return {
    whole,
    source: () => ({ kind: 'stream', stream: growing.reader(), contentType, ...known }),
    close: () => {
      stop.abort(new AbortError('the spool was closed'));
    },
  };
}
