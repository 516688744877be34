import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, ValidationError } from '../errors.js';
import type { Image } from '../schemas.js';
import { aliasOwner, defaultAliases } from './aliases.js';
import { streamsCall, type Mutator } from './call.js';
import { IMAGES_DIR, type Products } from './format.js';
import type { Inspected } from './inspect.js';
import { withTreeLock } from './lock.js';
import { checkArchitecture, checkWord, localArchitecture } from './names.js';
import {
  checkAddOptions,
  checkSource,
  type AddOptions,
  type AddSource,
  type CheckedAdd,
} from './options.js';
import { treeRoot } from './paths.js';
import {
  freeVersionKey,
  itemsFor,
  mergedProduct,
  productKey,
  type ImageFiles,
  type ProductFields,
} from './product.js';
import { extensionOf } from './sniff.js';
import { stageSource, type StagedImage } from './source.js';
import { commit, discard, pendingTree, readProducts } from './tree.js';
import { treeView } from './view.js';

// The product an image goes to: the options first, then its metadata.yaml.
function productFields(inspected: Inspected, o: CheckedAdd): ProductFields {
  const props = inspected.metadata.properties;
  const need = (given: string | undefined, name: 'os' | 'release'): string => {
    if (given !== undefined) return given;
    if (props[name] === undefined)
      throw new ValidationError(name, `metadata.yaml has no properties.${name}: pass { ${name} }`);
    return checkWord(props[name], `metadata.yaml properties.${name}`);
  };
  const arch =
    o.architecture ??
    checkArchitecture(inspected.metadata.architecture, 'metadata.yaml architecture');
  const requirements = Object.fromEntries(
    Object.entries(o.properties).flatMap(([k, v]) =>
      k.startsWith('requirements.') ? [[k.slice(13), v]] : [],
    ),
  );
  return {
    os: need(o.os, 'os'),
    release: need(o.release, 'release'),
    variant: o.variant ?? checkWord(props.variant ?? 'default', 'metadata.yaml properties.variant'),
    arch: arch.product,
    releaseTitle: o.properties.release_title,
    version: o.properties.version,
    requirements: Object.keys(requirements).length === 0 ? undefined : requirements,
  };
}

// The tree's files for the staged image: content-addressed names in images/.
function treeFiles(staged: StagedImage): ImageFiles {
  const [meta, root] = staged.files;
  const { inspected } = staged;
  if (meta === undefined) throw new ValidationError('source', 'no file');
  const named = (sha256: string, size: number, ext: string) => ({
    path: `${IMAGES_DIR}/${sha256}${ext}`,
    sha256,
    size,
  });
  const metaFile = named(meta.sha256, meta.size, extensionOf(inspected.meta));
  if (root === undefined || inspected.root === undefined) return { meta: metaFile };
  const rootFile = {
    ...named(root.sha256, root.size, extensionOf(inspected.root.kind)),
    type: inspected.root.type,
  };
  return { meta: metaFile, root: rootFile, combined: staged.fingerprint };
}

// The products with the image added (pure, after the conflict checks).
function withImage(products: Products, staged: StagedImage, o: CheckedAdd): Products {
  if (
    treeView(products, localArchitecture()).images.some(
      (t) => t.image.fingerprint === staged.fingerprint,
    )
  )
    throw new ConflictError(`the tree already holds image ${staged.fingerprint}`);
  const fields = productFields(staged.inspected, o);
  const key = productKey(fields);
  const current = products.products[key];
  for (const alias of o.aliases ?? []) {
    const owner = aliasOwner(products, key, fields.arch, alias);
    if (owner !== undefined) throw new ConflictError(`alias ${alias} belongs to product ${owner}`);
  }
  const aliases =
    o.aliases ??
    (current === undefined
      ? defaultAliases(fields.os, fields.release, fields.variant).filter(
          (a) => aliasOwner(products, key, fields.arch, a) === undefined,
        )
      : []);
  const version =
    o.version ??
    freeVersionKey(current, staged.inspected.metadata.creationDate ?? Date.now() / 1000);
  if (current?.versions[version] !== undefined)
    throw new ConflictError(`product ${key} already has version ${version}`);
  const product = mergedProduct(current, fields, aliases);
  const label = o.properties.label;
  const entry = { items: itemsFor(treeFiles(staged)), ...(label === undefined ? {} : { label }) };
  product.versions = { ...product.versions, [version]: entry };
  return { ...products, products: { ...products.products, [key]: product } };
}

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
