import { z } from 'zod';

/** Where the index lives in a tree, relative to its root. */
export const INDEX_PATH = 'streams/v1/index.json';
/** Where the products file lives in a tree, relative to its root. */
export const PRODUCTS_PATH = 'streams/v1/images.json';
/** The folder of the image files, relative to the root. */
export const IMAGES_DIR = 'images';

/** The file type of a unified image, for LXD and for Incus (each client looks for its own). */
export const COMBINED = { lxd: 'lxd_combined.tar.gz', incus: 'incus_combined.tar.gz' } as const;
/** The file type of a split image's metadata, for LXD and for Incus. */
export const META = { lxd: 'lxd.tar.xz', incus: 'incus.tar.xz' } as const;
/** The root file types both clients know, with the item field of each one's combined hash. */
export const ROOTS = {
  'root.tar.xz': 'combined_rootxz_sha256',
  squashfs: 'combined_squashfs_sha256',
  'disk-kvm.img': 'combined_disk-kvm-img_sha256',
} as const;
/** A root file type. */
export type RootType = keyof typeof ROOTS;

/** One file of a version. */
export const ItemSchema = z.looseObject({
  ftype: z.string(),
  path: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  combined_sha256: z.string().optional(),
  combined_rootxz_sha256: z.string().optional(),
  combined_squashfs_sha256: z.string().optional(),
  'combined_disk-kvm-img_sha256': z.string().optional(),
});
/** One file of a version, as the products file holds it. */
export type Item = z.output<typeof ItemSchema>;

/** One version of a product. */
export const VersionSchema = z.looseObject({
  items: z.record(z.string(), ItemSchema),
  label: z.string().optional(),
});
/** One version of a product, as the products file holds it. */
export type Version = z.output<typeof VersionSchema>;

/** One product: an os, release, architecture and variant, with its versions. */
export const ProductSchema = z.looseObject({
  aliases: z.string().default(''),
  arch: z.string(),
  os: z.string(),
  release: z.string(),
  release_title: z.string().default(''),
  variant: z.string().optional(),
  version: z.string().optional(),
  lxd_requirements: z.record(z.string(), z.string()).optional(),
  requirements: z.record(z.string(), z.string()).optional(),
  versions: z.record(z.string(), VersionSchema),
});
/** One product, as the products file holds it. */
export type Product = z.output<typeof ProductSchema>;

/** The products file (`streams/v1/images.json`). */
export const ProductsSchema = z.looseObject({
  format: z.literal('products:1.0'),
  datatype: z.literal('image-downloads'),
  content_id: z.string(),
  updated: z.string().optional(),
  products: z.record(z.string(), ProductSchema),
});
/** The products file. */
export type Products = z.output<typeof ProductsSchema>;

/** The index file (`streams/v1/index.json`). */
export const IndexSchema = z.looseObject({
  format: z.literal('index:1.0'),
  updated: z.string().optional(),
  index: z.record(
    z.string(),
    z.looseObject({
      datatype: z.string(),
      path: z.string(),
      format: z.string().optional(),
      updated: z.string().optional(),
      products: z.array(z.string()),
    }),
  ),
});
/** The index file. */
export type Index = z.output<typeof IndexSchema>;

/** An empty products file. */
export function emptyProducts(): Products {
  return {
    format: 'products:1.0',
    datatype: 'image-downloads',
    content_id: 'images',
    products: {},
  };
}

/** The index that points at `products` (product keys sorted). */
export function indexFor(products: Products, updated: string): Index {
  const entry = {
    datatype: 'image-downloads',
    path: PRODUCTS_PATH,
    format: 'products:1.0',
    updated,
    products: Object.keys(products.products).sort(),
  };
  return { format: 'index:1.0', updated, index: { images: entry } };
}
