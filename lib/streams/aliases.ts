import type { Products } from './format.js';
import { aliasList } from './product.js';

/**
 * The product that already owns alias `name` as the clients see it, for a product `key` of
 * architecture `arch` (pure): the same short alias on the same architecture, or a short alias
 * equal to another's `<alias>/<arch>` form. The same short alias on products of different
 * architectures is the usual multi-architecture layout and is allowed.
 */
export function aliasOwner(
  products: Products,
  of: { key: string; arch: string },
  name: string,
): string | undefined {
  const { key, arch } = of;
  for (const [other, product] of Object.entries(products.products)) {
    if (other === key) continue;
    for (const alias of aliasList(product)) {
      if (alias === name && product.arch === arch) return other;
      if (name === `${alias}/${product.arch}` || alias === `${name}/${arch}`) return other;
    }
  }
  return undefined;
}

/** The aliases a new product gets when none are given: `os/release` (default variant) and `os/release/variant`. */
export function defaultAliases(os: string, release: string, variant: string): string[] {
  const full = `${os}/${release}/${variant}`;
  return variant === 'default' ? [`${os}/${release}`, full] : [full];
}
