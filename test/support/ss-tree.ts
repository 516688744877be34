import { createHash } from 'node:crypto';

/** One item of a product version, as simplestreams writes it. */
export type TreeItem = Record<string, string | number>;
/** One product, as simplestreams writes it. */
export type TreeProduct = Record<string, unknown> & {
  versions: Record<string, { items: Record<string, TreeItem>; label?: string }>;
};

// A stable, fake sha256 for a label (the readers never fetch the files).
const fp = (label: string): string => createHash('sha256').update(label).digest('hex');

// A unified item under both clients' file types.
function unified(label: string, size: number): Record<string, TreeItem> {
  const item = { path: `images/${label}.tar.gz`, sha256: fp(label), size };
  return {
    'lxd_combined.tar.gz': { ftype: 'lxd_combined.tar.gz', ...item },
    'incus_combined.tar.gz': { ftype: 'incus_combined.tar.gz', ...item },
  };
}

// A metadata tarball under both clients' file types, with the combined hashes given.
function meta(label: string, hashes: Record<string, string>): Record<string, TreeItem> {
  const item = { path: `images/${label}.meta.tar.xz`, sha256: fp(`${label}-meta`), size: 412 };
  return {
    'lxd.tar.xz': { ftype: 'lxd.tar.xz', ...item, ...hashes },
    'incus.tar.xz': { ftype: 'incus.tar.xz', ...item, ...hashes },
  };
}

// A root file (squashfs, root.tar.xz, disk-kvm.img…) of a split image.
function root(label: string, ftype: string, size: number): Record<string, TreeItem> {
  return { [ftype]: { ftype, path: `images/${label}.${ftype}`, sha256: fp(label), size } };
}

// A product with the usual fields.
function product(
  os: string,
  release: string,
  arch: string,
  aliases: string,
  versions: TreeProduct['versions'],
  extra: Record<string, unknown> = {},
): [string, TreeProduct] {
  const variant = (extra.variant as string | undefined) ?? 'default';
  const key = `${os}:${release}:${arch}:${variant}`;
  return [key, { aliases, arch, os, release, release_title: release, variant, versions, ...extra }];
}

/**
 * A tree that exercises what both clients convert: several versions, other architectures (a
 * product only for arm64, a personality, several foreign ones sharing an alias), split
 * container and VM items, combined hashes, requirements, labels, an end of support, and what
 * the clients skip (an unknown architecture, version keys without a date, items without a
 * fingerprint).
 */
export function readerTree(): Record<string, TreeProduct> {
  const split = (label: string): TreeProduct['versions'][string]['items'] => ({
    ...meta(label, {
      combined_squashfs_sha256: fp(`${label}-squashfs`),
      combined_rootxz_sha256: fp(`${label}-rootxz`),
    }),
    ...root(`${label}-squashfs`, 'squashfs', 9000),
    ...root(`${label}-rootxz`, 'root.tar.xz', 8000),
  });
  const vm = (label: string): TreeProduct['versions'][string]['items'] => ({
    ...meta(label, {
      combined_squashfs_sha256: fp(`${label}-squashfs`),
      'combined_disk-kvm-img_sha256': fp(`${label}-kvm`),
      combined_sha256: fp(`${label}-rootxz`),
    }),
    ...root(`${label}-squashfs`, 'squashfs', 7000),
    ...root(`${label}-kvm`, 'disk-kvm.img', 70000),
    ...root(`${label}-rootxz`, 'root.tar.xz', 6000),
  });
  const multi = ['arm64', 'riscv64', 's390x', 'ppc64el', 'armhf'].map((arch) =>
    product('multi', '1', arch, 'multi,multi/1', {
      '20261110_0000': { items: unified(`multi-${arch}`, 300) },
    }),
  );
  return Object.fromEntries([
    product('testos', '1.0', 'amd64', 'testos/1.0,testos', {
      '20261120_0000': { items: unified('testos-amd64-old', 1000) },
      '20261123_0000': { items: unified('testos-amd64-new', 1100) },
    }),
    product('testos', '1.0', 'arm64', 'testos/1.0,testos', {
      '20261123_0000': { items: unified('testos-arm64', 1200) },
    }),
    product('armos', '3.0', 'arm64', 'armos/3.0,armos', {
      '20261122_0000': { items: unified('armos-arm64', 1300) },
    }),
    product(
      'splitos',
      '2.0',
      'amd64',
      'splitos/2.0/cloud,splitos/cloud',
      { '20261121_1200': { items: split('splitos') } },
      { variant: 'cloud' },
    ),
    product('vmos', '1.0', 'amd64', 'vmos/1.0,vmos', { '20261123_0000': { items: vm('vmos') } }),
    product('vmonly', '1.0', 'amd64', 'vmonly', {
      '20261123_0000': {
        items: {
          ...meta('vmonly', { 'combined_disk-kvm-img_sha256': fp('vmonly-kvm') }),
          ...root('vmonly-kvm', 'disk-kvm.img', 50000),
        },
      },
    }),
    product(
      'richos',
      '9',
      'amd64',
      'richos/9,richos',
      { '20261101_0000': { items: unified('richos', 900), label: 'beta' } },
      {
        release_title: 'Rich 9',
        release_codename: 'rich',
        version: '9.1',
        support_eol: '2030-04-30',
        supported: true,
        lxd_requirements: { secureboot: 'false' },
        requirements: { cgroup: 'v2' },
      },
    ),
    product('pers', '1', 'i386', 'pers', { '20261105_0000': { items: unified('pers-i386', 200) } }),
    product('pers', '1', 'riscv64', 'pers', {
      '20261106_0000': { items: unified('pers-riscv64', 200) },
    }),
    ...multi,
    product('sparcos', '1', 'sparc', 'sparcos', {
      '20261101_0000': { items: unified('sparcos', 100) },
    }),
    product('badver', '1', 'amd64', 'badver', {
      latest: { items: unified('badver-latest', 100) },
      '2026113': { items: unified('badver-short', 100) },
      '20261340_0000': { items: unified('badver-month', 100) },
      '20260230_0000': { items: unified('badver-day', 100) },
    }),
    product('nohash', '1', 'amd64', 'nohash', {
      '20261101_0000': {
        items: { ...meta('nohash', {}), ...root('nohash-squashfs', 'squashfs', 100) },
      },
    }),
    product('noalias', '1', 'amd64', '', { '20261101_0000': { items: unified('noalias', 100) } }),
    product('dupalias', '1', 'amd64', 'testos', {
      '20261101_0000': { items: unified('dupalias', 100) },
    }),
  ]);
}

/**
 * `count` products of mixed architectures (several foreign ones, a personality, sometimes the
 * host's) sharing a few aliases: the lists get long enough for Go's sort to leave its insertion
 * sort, so the order of equal aliases and the foreign architecture an alias picks depend on
 * every step of it.
 */
export function foreignTree(count: number): Record<string, TreeProduct> {
  const arches = ['arm64', 'riscv64', 's390x', 'ppc64el', 'armhf', 'i386', 'amd64', 'armel'];
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const entries: [string, TreeProduct][] = [];
  for (let i = 0; i < count; i++) {
    const arch = arches[next(i % 3 === 0 ? arches.length - 2 : arches.length)] ?? 'arm64';
    const group = `g${next(13)}`;
    const serial = `202611${String(10 + next(18))}_0000`;
    const items = unified(`foreign-${i}`, 100 + i);
    entries.push(
      product(
        group,
        String(i % 4),
        arch,
        `${group},${group}/${i % 4},x${i}`,
        {
          [serial]: { items },
        },
        { variant: `v${i}` },
      ),
    );
  }
  return Object.fromEntries(entries);
}
