import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AbortError, LxcError } from '../../wire/errors.js';
import type { Spool, SpoolRequest } from '../../wire/request.js';
import { openExport, type ExportEnd } from './download.js';
import { counter } from './upload.js';

const CHUNK = 1 << 20;

/**
 * A file being written, whose readers follow it as it grows: `chunk` (each chunk once it is on
 * disk, with its offset), `change` (the end, or a failure).
 */
class Growing extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0); // two listeners per reader that has caught up
  }

  written = 0;
  ended = false;
  failure: Error | undefined;
}

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

// Writes to the file, handing each chunk to the readers that have caught up once it is on disk.
function writer(file: FileHandle, growing: Growing): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      file.write(chunk).then(() => {
        const offset = growing.written;
        growing.written += chunk.length;
        growing.emit('chunk', chunk, offset);
        done();
      }, done);
    },
  });
}

// A reader of the file from its start. Once it has caught up with the export it takes each new
// chunk as it is written (no second read of it); when it cannot take more, it goes back to the
// file, so that a slow upload never holds the others or the export back.
function follow(path: string, growing: Growing): Readable {
  let handle: FileHandle | undefined;
  let position = 0;
  let busy = false;
  let live = false;
  const onChunk = (chunk: Buffer, offset: number): void => {
    if (offset === position) {
      position += chunk.length;
      if (stream.push(chunk)) return;
    }
    leave();
  };
  const onChange = (): void => {
    leave();
    if (growing.failure) stream.destroy(growing.failure);
    else stream.push(null);
  };
  const join = (): void => {
    live = true;
    growing.on('chunk', onChunk).on('change', onChange);
  };
  const leave = (): void => {
    live = false;
    growing.off('chunk', onChunk).off('change', onChange);
  };
  const pump = async (): Promise<void> => {
    handle ??= await openFile(path, 'r');
    while (position < growing.written) {
      const size = Math.min(CHUNK, growing.written - position);
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(size), 0, size, position);
      position += bytesRead;
      if (!stream.push(buffer.subarray(0, bytesRead))) return;
    }
    if (growing.failure) stream.destroy(growing.failure);
    else if (growing.ended) stream.push(null);
    else join(); // caught up: the next chunks come as they are written
  };
  const stream: Readable = new Readable({
    read() {
      if (busy || live) return;
      busy = true;
      pump()
        .catch((error: unknown) => this.destroy(error as Error))
        .finally(() => (busy = false));
    },
    destroy(error, done) {
      leave();
      const closing = handle?.close() ?? Promise.resolve();
      const end = (): void => {
        done(error);
      };
      closing.then(end, end);
    },
  });
  return stream;
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
  const file = await openFile(path, 'wx');
  const length = Number(response.headers['content-length'] ?? NaN);
  const known = Number.isFinite(length) ? { length } : {};
  const contentType = response.headers['content-type'] ?? 'application/octet-stream';
  const growing = new Growing();
  const stop = new AbortController();
  const signal = AbortSignal.any([end.signal, stop.signal]);
  const count = counter('export', 'Reading the image', known.length, request.onProgress);
  const check = verifier(response.headers, request.fingerprint);
  const whole = pipeline(response, count, check, writer(file, growing), { signal })
    .then(() => (growing.ended = true))
    .catch((error: unknown) => {
      growing.failure = error instanceof Error ? error : new LxcError(String(error));
      throw growing.failure;
    })
    .finally(() => {
      growing.emit('change');
      return file.close();
    })
    .then(() => undefined);
  whole.catch(() => undefined); // a spool nobody waits for must not be an unhandled rejection
  return {
    whole,
    source: () => ({ kind: 'stream', stream: follow(path, growing), contentType, ...known }),
    close: () => {
      stop.abort(new AbortError('the spool was closed'));
    },
  };
}
