import { ImageEditor } from './editor.js';

/** Moves image data: import, copy, export, refresh, secrets. */
export class ImageTransfer extends ImageEditor {}
