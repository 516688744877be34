import { z } from 'zod';
import { apiPath } from '../context.js';
import { ParseError } from '../errors.js';
import { finish, splitTail, type CallOptions, type Mutator } from '../mutator.js';
import { OperationSchema, type Image, type Operation } from '../schemas.js';
import { checkRef } from '../validate.js';
import { copyImage, type CopyFlags } from './copy.js';
import { ImageEditor } from './editor.js';
import { exportImage, type ExportFlags, type ExportResult } from './export.js';
import {
  checkImageUrl,
  importImage,
  runImport,
  type ImportFlags,
  type ImportSource,
} from './import.js';
import { progressLines, type ProgressHandler } from './progress.js';
import { infoImage } from './resolve.js';

/** Options of `images.import` and `images.importFromUrl`. */
export interface ImportOptions extends CallOptions, ImportFlags {}
/** Options of `images.copy`. */
export interface CopyOptions extends CallOptions, CopyFlags {}
/** Options of `images.export`. */
export interface ExportOptions extends CallOptions, ExportFlags {}
/** Options of `images.refresh`. */
export interface RefreshOptions extends CallOptions {
  onProgress?: ProgressHandler | undefined;
}
/** What `images.createSecret` resolves to. */
export interface ImageSecret {
  /** The single-use secret. */
  secret: string;
  /** The token operation; it stays running until the secret is used or cancelled. */
  operation: Operation;
}

const SecretOperationSchema = OperationSchema.refine(
  (op) => typeof op.metadata.secret === 'string',
  {
    message: 'the operation has no metadata.secret',
  },
);

/** Moves image data: import, copy, export, refresh, secrets. */
export class ImageTransfer extends ImageEditor {
  /**
   * Imports an image from a unified tarball path, `{metadata, rootfs}` paths, bytes, or a stream
   * (spooled to a temporary file, never held whole in memory).
   * @throws {@link ConflictError} when the image is already there.
   * @example lxc.images.import('local', 'alpine.tar.gz', { aliases: ['alpine'] }).then(image => image.fingerprint)
   */
  async import<R = Image>(
    remote: string | undefined,
    source: ImportSource,
    options?: ImportOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await importImage(this.ctx, call, source, opts ?? {}), mut);
  }

  /**
   * Imports from an https URL that answers `LXD-Image-URL`/`LXD-Image-Hash` (LXD's `url` source).
   * @example lxc.images.importFromUrl('local', 'https://example.com/image', { aliases: ['web'] })
   */
  async importFromUrl<R = Image>(
    remote: string | undefined,
    url: string,
    options?: ImportOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await runImport(this.ctx, call, [checkImageUrl(url)], opts ?? {}), mut);
  }

  /**
   * Copies an image from any remote (LXD or simplestreams) to an LXD remote; resolves to the copy.
   * @example lxc.images.copy('images', 'alpine/3.19', 'local', { aliases: ['alpine'] })
   */
  async copy<R = Image>(
    remote: string | undefined,
    ref: string,
    targetRemote: string,
    options?: CopyOptions | Mutator<Image, R>,
    mutator?: Mutator<Image, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await copyImage(this.ctx, call, ref, targetRemote, opts ?? {}), mut);
  }

  /**
   * Exports an image to a file or a directory, atomically (nothing is left behind on failure).
   * @example lxc.images.export('local', 'alpine', '/tmp/alpine.tar.gz').then(r => r.files)
   */
  async export<R = ExportResult>(
    remote: string | undefined,
    ref: string,
    destination: string,
    options?: ExportOptions | Mutator<ExportResult, R>,
    mutator?: Mutator<ExportResult, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    return finish(await exportImage(this.ctx, call, checkRef(ref), destination, opts ?? {}), mut);
  }

  /**
   * Refreshes an auto-updating image from its source.
   * @example lxc.images.refresh('local', 'alpine').then(r => r.refreshed)
   */
  async refresh<R = { refreshed: boolean }>(
    remote: string | undefined,
    ref: string,
    options?: RefreshOptions | Mutator<{ refreshed: boolean }, R>,
    mutator?: Mutator<{ refreshed: boolean }, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const { fingerprint } = await infoImage(this.ctx, call, checkRef(ref));
    const args = ['image', 'refresh', `${call.remote}:${fingerprint}`];
    const { stdout } = await this.ctx.runWithProject(args, call, {
      onLine: progressLines('refresh', opts?.onProgress),
    });
    if (/refreshed successfully/i.test(stdout)) return finish({ refreshed: true }, mut);
    if (/already up to date/i.test(stdout)) return finish({ refreshed: false }, mut);
    throw new ParseError('unexpected output of image refresh', stdout, { remote: call.remote });
  }

  /**
   * Creates a single-use secret that lets an untrusted client fetch this private image.
   * @example lxc.images.createSecret('local', fp).then(s => s.secret)
   */
  async createSecret<R = ImageSecret>(
    remote: string | undefined,
    ref: string,
    options?: CallOptions | Mutator<ImageSecret, R>,
    mutator?: Mutator<ImageSecret, R>,
  ): Promise<R> {
    const [opts, mut] = splitTail(options, mutator);
    const call = this.ctx.resolve(remote, opts);
    const { fingerprint } = await infoImage(this.ctx, call, checkRef(ref));
    const path = apiPath('1.0', 'images', fingerprint, 'secret');
    const operation = await this.ctx.query(call, path, SecretOperationSchema, { method: 'POST' });
    return finish({ secret: z.string().parse(operation.metadata.secret), operation }, mut);
  }
}
