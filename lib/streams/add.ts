import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../wire/errors.js';
import type { Image } from '../wire/schemas.js';
import { productFields, treeFiles, withImage } from './add-plan.js';
import { streamsCall, type Mutator } from './call.js';
import { IMAGES_DIR } from './format.js';
import type { Inspected } from './inspect.js';
import { withTreeLock } from './lock.js';
import { localArchitecture } from './names.js';
import {
  checkAddOptions,
  checkSource,
  type AddOptions,
  type AddSource,
  type CheckedAdd,
} from './options.js';
import { treeRoot } from './paths.js';
import { stageSource, type StagedImage } from './source.js';
import { commit, discard, pendingTree, readProducts } from './tree.js';
import { treeView } from './view.js';

// Under the lock: the new index files written aside, the image files renamed in, then the index.
async function commitImage(root: string, staged: StagedImage, o: CheckedAdd): Promise<Image> {
  const products = withImage(await readProducts(root), staged, o);
  const pending = await pendingTree(root, products);
  try {
    const files = treeFiles(staged);
    const finals = [files.meta, ...(files.root === undefined ? [] : [files.root])];
    await mkdir(join(root, IMAGES_DIR), { recursive: true });
    for (const [i, file] of staged.files.entries())
      await rename(file.temp, join(root, finals[i]?.path ?? ''));
    await commit(pending);
  } finally {
    await discard(pending);
  }
  const added = treeView(products, localArchitecture()).images.find(
    (t) => t.image.fingerprint === staged.fingerprint,
  );
  if (added === undefined)
    throw new ValidationError('source', 'the image is not listed after adding it');
  return added.image;
}

/**
 * Adds an image to a simplestreams tree (made if missing) and resolves to it as `list` shows it.
 * The files are copied in (hashed on the way) under content-addressed names, then the index is
 * rewritten by temporary name and rename, under the tree's lock. Every file is listed under
 * LXD's and Incus's file types, so that both clients and daemons list, copy and refresh from it.
 *
 * @param source a unified tarball's path, `{ metadata, rootfs }` paths, or `{ client, remote, ref }`
 * (an image on a daemon, exported into the tree).
 * @throws ValidationError for a file that is not an image, a unified VM image, or a bad name.
 * @throws ConflictError when the tree has the image, or an alias belongs to another product.
 * @example await add('/srv/images', 'alpine.tar.gz', { aliases: ['alpine/3.19'] });
 */
export function add<R = Image>(
  dir: string,
  source: AddSource,
  options?: AddOptions | Mutator<Image, R>,
  mutator?: Mutator<Image, R>,
): Promise<NoInfer<R>> {
  return streamsCall<AddOptions, Image, R>(options, mutator, async (opts) => {
    const o = checkAddOptions(opts);
    const checked = checkSource(source);
    const root = await treeRoot(dir, true);
    // a bad product is refused before anything is copied
    const check = (inspected: Inspected): void => void productFields(inspected, o);
    const staged = await stageSource(root, checked, { onProgress: o.onProgress, check });
    try {
      return await withTreeLock(root, () => commitImage(root, staged, o));
    } finally {
      await staged.cleanup();
    }
  });
}
