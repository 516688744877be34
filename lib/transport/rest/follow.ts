import { EventEmitter } from 'node:events';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';

const CHUNK = 1 << 20;

/**
 * A file being written, whose readers follow it as it grows: `chunk` (each chunk once it is on
 * disk, with its offset), `change` (the end, or a failure).
 */
export class Growing extends EventEmitter {
  /** Bytes on disk so far. */
  written = 0;
  ended = false;
  failure: Error | undefined;

  constructor(readonly path: string) {
    super();
    this.setMaxListeners(0); // two listeners per reader that has caught up
  }

  /** Writes to `file`, handing each chunk to the readers that have caught up once it is on disk. */
  writer(file: FileHandle): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        file.write(chunk).then(() => {
          const offset = this.written;
          this.written += chunk.length;
          this.emit('chunk', chunk, offset);
          done();
        }, done);
      },
    });
  }

  /** A new reader of the file from its start (see {@link Follower}). */
  reader(): Readable {
    return new Follower(this).stream;
  }
}

/**
 * A reader of a growing file from its start. Once it has caught up, it takes each new chunk as
 * it is written (no second read of it); when it cannot take more, it goes back to the file, so
 * that a slow reader never holds the others or the writer back.
 */
class Follower {
  readonly stream: Readable;
  private handle: FileHandle | undefined;
  private position = 0;
  private busy = false;
  private live = false;

  constructor(private readonly growing: Growing) {
    this.stream = new Readable({
      read: () => {
        this.read();
      },
      destroy: (error, done) => {
        this.leave();
        const end = (): void => {
          done(error);
        };
        (this.handle?.close() ?? Promise.resolve()).then(end, end);
      },
    });
  }

  // Reads the file up to what is written, unless the chunks come as they are written.
  private read(): void {
    if (this.busy || this.live) return;
    this.busy = true;
    this.pump()
      .catch((error: unknown) => this.stream.destroy(error as Error))
      .finally(() => (this.busy = false));
  }

  // Reads until the reader is full or has caught up; then joins the writer, or ends.
  private async pump(): Promise<void> {
    const { growing } = this;
    if (!this.handle) {
      const handle = await openFile(growing.path, 'r');
      // destroyed while it opened: nobody else will close it
      if (this.stream.destroyed) return handle.close();
      this.handle = handle;
    }
    while (this.position < growing.written) {
      const size = Math.min(CHUNK, growing.written - this.position);
      const read = await this.handle.read(Buffer.allocUnsafe(size), 0, size, this.position);
      this.position += read.bytesRead;
      if (!this.stream.push(read.buffer.subarray(0, read.bytesRead))) return;
    }
    if (growing.failure) this.stream.destroy(growing.failure);
    else if (growing.ended) this.stream.push(null);
    else this.join();
  }

  private readonly onChunk = (chunk: Buffer, offset: number): void => {
    if (offset === this.position) {
      this.position += chunk.length;
      if (this.stream.push(chunk)) return;
    }
    this.leave(); // full: the next read goes to the file
  };

  private readonly onChange = (): void => {
    this.leave();
    if (this.growing.failure) this.stream.destroy(this.growing.failure);
    else this.stream.push(null);
  };

  private join(): void {
    this.live = true;
    this.growing.on('chunk', this.onChunk).on('change', this.onChange);
  }

  private leave(): void {
    this.live = false;
    this.growing.off('chunk', this.onChunk).off('change', this.onChange);
  }
}
