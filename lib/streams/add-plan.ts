import { ConflictError, ValidationError } from '../wire/errors.js';
import { aliasOwner, defaultAliases } from './aliases.js';
import { IMAGES_DIR, type Products } from './format.js';
import type { Inspected } from './inspect.js';
import { checkArchitecture, checkWord, localArchitecture } from './names.js';
import type { CheckedAdd } from './options.js';
import {
  freeVersionKey,
  itemsFor,
  mergedProduct,
  productKey,
  type ImageFiles,
  type ProductFields,
} from './product.js';
import { extensionOf } from './sniff.js';
import type { StagedImage } from './source.js';
import { treeView } from './view.js';

/** The product an image goes to: the options first, then its metadata.yaml (pure). */
export function productFields(inspected: Inspected, o: CheckedAdd): ProductFields {
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

/** The tree's files for a staged image: content-addressed names in `images/` (pure). */
export function treeFiles(staged: StagedImage): ImageFiles {
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

/**
 * The products with the image added (pure), after the checks: the tree must not hold it, its
 * aliases must not belong to another product, and its version key must be free.
 */
export function withImage(products: Products, staged: StagedImage, o: CheckedAdd): Products {
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
    const owner = aliasOwner(products, { key, arch: fields.arch }, alias);
    if (owner !== undefined) throw new ConflictError(`alias ${alias} belongs to product ${owner}`);
  }
  const aliases =
    o.aliases ??
    (current === undefined
      ? defaultAliases(fields.os, fields.release, fields.variant).filter(
          (a) => aliasOwner(products, { key, arch: fields.arch }, a) === undefined,
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
