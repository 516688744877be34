import type { Readable } from 'node:stream';
import type { ProgressHandler } from '../progress.js';
import type { Request, Target } from '../requests/request.js';
import type { Remote } from '../schemas.js';

/** What a transport answered: the parsed data, and the ETag when the transport can see it. */
export interface Reply<T> {
  data: T;
  /** The `ETag` header (REST only). */
  etag?: string | undefined;
}

/** Image data to upload: one file (unified), two (split: metadata, rootfs), or a stream. */
export type UploadSource =
  { kind: 'files'; files: readonly string[] } | { kind: 'stream'; stream: Readable };

/** An upload of image data, as data. */
export interface Upload {
  source: UploadSource;
  /** Properties to set on the image. */
  properties: Readonly<Record<string, string>>;
  /** Make the image public. */
  public: boolean;
  /** Receives the bytes sent. */
  onProgress?: ProgressHandler | undefined;
}

/** An export of an image into a directory, as data. */
export interface Download {
  fingerprint: string;
  /** An empty directory that receives the file(s). */
  dir: string;
  /** Receives the bytes received. */
  onProgress?: ProgressHandler | undefined;
}

/** A copy that passes through this client (relay mode), as data. */
export interface Relay {
  fingerprint: string;
  /** Where the image goes. */
  to: Target;
  /** Make the copy public. */
  public: boolean;
  /** The image's file name on the source (kept on the copy). */
  filename?: string | undefined;
  /** Receives the bytes moved. */
  onProgress?: ProgressHandler | undefined;
}

/**
 * The one seam between the API and whatever talks to the daemon: the CLI transport (it spawns
 * `lxc`/`incus`) or the REST transport (it talks to the daemon's socket or HTTPS address).
 * Every method stops, and cancels what it started on the server, when `signal` fires.
 */
export interface Transport {
  /** `cli` or `rest`. */
  readonly name: 'cli' | 'rest';
  /** Sends one request and resolves to its parsed result. */
  send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>>;
  /** Uploads image data and resolves to the new image's fingerprint once it is stored. */
  upload(target: Target, upload: Upload, signal: AbortSignal): Promise<string>;
  /** Exports an image into `download.dir` and resolves to the names of the files written. */
  download(target: Target, download: Download, signal: AbortSignal): Promise<string[]>;
  /** Copies an image from `from` to `relay.to` through this client. */
  relay(from: Target, relay: Relay, signal: AbortSignal): Promise<void>;
  /** Lists the client's remotes as its config describes them (`remote list --format=json`). */
  listRemotes(signal: AbortSignal): Promise<Remote[]>;
}
