/** Which client's rules a conversion follows: LXD 5.0's `lxc` or Incus 6.0's `incus`. */
export type Flavor = 'lxd' | 'incus';

// The clients' `shared/osarch` tables: canonical name, then the other names a server may use.
const NAMES: readonly (readonly [string, readonly string[]])[] = [
  ['i686', ['i386', 'i586', '386', 'x86', 'generic_32']],
  ['x86_64', ['amd64', 'generic_64']],
  ['armv6l', ['armel', 'arm']],
  ['armv7l', ['armhf', 'armhfp', 'armv7a_hardfp', 'armv7', 'armv7a_vfpv3_hardfp']],
  ['armv8l', []],
  ['aarch64', ['arm64', 'arm64_generic']],
  ['ppc', ['powerpc']],
  ['ppc64', ['powerpc64', 'ppc64']],
  ['ppc64le', ['ppc64el']],
  ['s390x', []],
  ['mips', ['mipsel']],
  ['mips64', ['mips64el']],
  ['riscv32', []],
  ['riscv64', []],
];

// What Incus 6.0 adds to LXD 5.0's table.
const INCUS_EXTRA: Readonly<Record<string, readonly string[]>> = {
  mips: ['mipsle'],
  mips64: ['mips64le'],
  loongarch64: ['loong64'],
};

// The personalities (32-bit modes) each architecture also runs.
const PERSONALITIES: Readonly<Record<string, readonly string[]>> = {
  x86_64: ['i686'],
  armv7l: ['armv6l'],
  armv8l: ['armv6l', 'armv7l'],
  aarch64: ['armv6l', 'armv7l', 'armv8l'],
  ppc64: ['ppc'],
  mips64: ['mips'],
};

// name or alias -> canonical name, per flavor
const tables = new Map<Flavor, ReadonlyMap<string, string>>();

// Builds the lookup the clients' ArchitectureId + ArchitectureName make (names win over aliases).
function table(flavor: Flavor): ReadonlyMap<string, string> {
  let found = tables.get(flavor);
  if (found) return found;
  const map = new Map<string, string>();
  const extra = flavor === 'incus' ? INCUS_EXTRA : {};
  const all = [...NAMES, ...(flavor === 'incus' ? [['loongarch64', []] as const] : [])];
  for (const [name] of all) map.set(name, name);
  for (const [name, aliases] of all) {
    for (const alias of [...aliases, ...(extra[name] ?? [])])
      if (!map.has(alias)) map.set(alias, name);
  }
  found = map;
  tables.set(flavor, found);
  return found;
}

/** The client's name for a product's `arch` (`amd64` → `x86_64`), or `undefined`: skipped. */
export function architectureName(flavor: Flavor, arch: string): string | undefined {
  return table(flavor).get(arch);
}

/** The architectures that `machine` runs as personalities (`x86_64` → `i686`). */
export function personalities(flavor: Flavor, machine: string): ReadonlySet<string> {
  const name = architectureName(flavor, machine);
  return new Set(name === undefined ? [] : (PERSONALITIES[name] ?? []));
}
