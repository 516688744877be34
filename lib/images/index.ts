import type { Context } from '../context.js';
import { ImageAliases } from './aliases.js';
import { ImageTransfer } from './transfer.js';

/** Images: `client.images`, with `client.images.aliases`. */
export class Images extends ImageTransfer {
  /** Image aliases. */
  readonly aliases: ImageAliases;

  /** @internal */
  constructor(ctx: Context) {
    super(ctx);
    this.aliases = new ImageAliases(ctx);
  }
}
