import { expect } from 'chai';
import { ValidationError } from '../../../lib/index.js';
import { aliasOwner, defaultAliases } from '../../../lib/streams/aliases.js';
import { emptyProducts, type Products } from '../../../lib/streams/format.js';
import {
  architectureOf,
  checkTreeAlias,
  checkVersionKey,
  checkWord,
  validDate,
} from '../../../lib/streams/names.js';
import { insideTree, tempOwner } from '../../../lib/streams/paths.js';
import { freeVersionKey, itemsFor, versionKeyOf } from '../../../lib/streams/product.js';
import { keepNewest } from '../../../lib/streams/prune.js';
import { withoutImage } from '../../../lib/streams/remove.js';
import { resolveRef } from '../../../lib/streams/resolve.js';
import { extensionOf, kindOf } from '../../../lib/streams/sniff.js';
import { normalName, parseHeader, paxPath } from '../../../lib/streams/tar-reader.js';
import { treeView } from '../../../lib/streams/view.js';
import { tarHeader } from '../../../bench/tar.js';

const fp = (c: string): string => c.repeat(64);

// A products file with one unified image per version of `os:1.0:<arch>:default`.
function tree(
  entries: { os: string; arch?: string; aliases?: string; versions: Record<string, string> }[],
): Products {
  const products = emptyProducts();
  for (const e of entries) {
    const arch = e.arch ?? 'amd64';
    const versions = Object.fromEntries(
      Object.entries(e.versions).map(([key, sha]) => [
        key,
        { items: itemsFor({ meta: { path: `images/${sha}.tar.gz`, sha256: sha, size: 10 } }) },
      ]),
    );
    products.products[`${e.os}:1.0:${arch}:default`] = {
      aliases: e.aliases ?? '',
      arch,
      os: e.os,
      release: '1.0',
      release_title: '1.0',
      variant: 'default',
      versions,
    };
  }
  return products;
}

describe('streams: names', () => {
  it('refuses path traversal, NUL, separators and leading dashes in product words and aliases', () => {
    for (const bad of [
      '..',
      '../x',
      'a/b',
      'a:b',
      'a,b',
      '-x',
      '.hidden',
      'a\u0000b',
      '',
      'a b',
      'x'.repeat(300),
    ])
      expect(() => checkWord(bad, 'os'), bad).to.throw(ValidationError);
    for (const bad of ['a/../b', '../a', 'a//b', '/a', 'a/', 'a,b', 'a\u0000', '-a', 'a/-b', 'a b'])
      expect(() => checkTreeAlias(bad, 'alias'), bad).to.throw(ValidationError);
    expect(checkWord('22.04', 'release')).to.equal('22.04');
    expect(checkTreeAlias('alpine/3.19/cloud', 'alias')).to.equal('alpine/3.19/cloud');
  });

  it('takes version keys that start with a real date', () => {
    expect(checkVersionKey('20261123_0000')).to.equal('20261123_0000');
    expect(checkVersionKey('20240229')).to.equal('20240229');
    for (const bad of [
      '2026112',
      'v20261123',
      '20261323_0000',
      '20230229_0000',
      '20261123/..',
      '20261123 x',
    ])
      expect(() => checkVersionKey(bad), bad).to.throw(ValidationError);
    expect(validDate('20241231')).to.equal(true);
    expect(validDate('20241301')).to.equal(false);
  });

  it('maps kernel and Debian architecture names as both clients do', () => {
    expect(architectureOf('x86_64')).to.deep.equal({ kernel: 'x86_64', product: 'amd64' });
    expect(architectureOf('amd64')).to.deep.equal({ kernel: 'x86_64', product: 'amd64' });
    expect(architectureOf('aarch64')?.product).to.equal('arm64');
    expect(architectureOf('ppc64el')?.kernel).to.equal('ppc64le');
    expect(architectureOf('z80')).to.equal(undefined);
  });

  it('keeps item paths inside the tree and recognises temporary names', () => {
    expect(insideTree('/t', 'images/a.tar.gz')).to.equal('/t/images/a.tar.gz');
    for (const bad of [
      '../x',
      'images/../../x',
      '/etc/passwd',
      'a\u0000b',
      'a\\b',
      '',
      'images//a',
      './a',
    ])
      expect(insideTree('/t', bad), bad).to.equal(undefined);
    expect(tempOwner('.tmp-123-abcdef-image')).to.equal(123);
    expect(tempOwner('abc.tar.gz')).to.equal(undefined);
  });
});

describe('streams: files', () => {
  it('tells tarballs, squashfs and qcow2 apart by their first bytes', () => {
    const ustar = Buffer.alloc(512);
    ustar.write('ustar', 257, 'latin1');
    expect(kindOf(ustar)).to.deep.equal({ kind: 'tarball', compression: 'none' });
    expect(kindOf(Buffer.from([0x1f, 0x8b, 8]))).to.deep.equal({
      kind: 'tarball',
      compression: 'gzip',
    });
    expect(kindOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))?.kind).to.equal('tarball');
    expect(kindOf(Buffer.from('hsqs'))).to.deep.equal({ kind: 'squashfs' });
    expect(kindOf(Buffer.from([0x51, 0x46, 0x49, 0xfb]))).to.deep.equal({ kind: 'qcow2' });
    expect(kindOf(Buffer.from('hello world'))).to.equal(undefined);
    expect(extensionOf({ kind: 'tarball', compression: 'zstd' })).to.equal('.tar.zst');
    expect(extensionOf({ kind: 'qcow2' })).to.equal('.qcow2');
  });

  it('parses tar headers: names, sizes, end blocks, damaged headers, pax paths', () => {
    expect(parseHeader(tarHeader('./metadata.yaml', 1234))).to.deep.equal({
      name: 'metadata.yaml',
      type: '0',
      size: 1234,
    });
    expect(parseHeader(tarHeader('rootfs/', 0, true))).to.deep.equal({
      name: 'rootfs',
      type: '5',
      size: 0,
    });
    expect(parseHeader(Buffer.alloc(512))).to.equal(null);
    const damaged = tarHeader('metadata.yaml', 10);
    damaged[0] = 0x4e;
    expect(parseHeader(damaged)).to.equal(undefined);
    const record = (text: string): string => {
      let length = text.length + 3;
      if (`${length} ${text}\n`.length !== length) length += 1;
      return `${length} ${text}\n`;
    };
    expect(paxPath(Buffer.from(record('mtime=1') + record('path=./metadata.yaml')))).to.equal(
      'metadata.yaml',
    );
    expect(paxPath(Buffer.from(record('mtime=1')))).to.equal(undefined);
    expect(normalName('././rootfs//')).to.equal('rootfs');
  });
});

describe('streams: products', () => {
  it('lists a unified image under both file types, and a split one with its combined hash', () => {
    const meta = { path: 'images/m.tar.gz', sha256: fp('a'), size: 1 };
    expect(Object.keys(itemsFor({ meta }))).to.deep.equal([
      'lxd_combined.tar.gz',
      'incus_combined.tar.gz',
    ]);
    const split = itemsFor({
      meta,
      root: { path: 'images/r.squashfs', sha256: fp('b'), size: 2, type: 'squashfs' },
      combined: fp('c'),
    });
    expect(split['lxd.tar.xz']).to.include({
      combined_squashfs_sha256: fp('c'),
      path: 'images/m.tar.gz',
    });
    expect(split['incus.tar.xz']).to.include({
      combined_squashfs_sha256: fp('c'),
      ftype: 'incus.tar.xz',
    });
    expect(split.squashfs).to.include({ ftype: 'squashfs', sha256: fp('b') });
    const tarRoot = itemsFor({
      meta,
      root: { path: 'images/r.tar.xz', sha256: fp('b'), size: 2, type: 'root.tar.xz' },
      combined: fp('c'),
    });
    expect(tarRoot['lxd.tar.xz']).to.include({
      combined_rootxz_sha256: fp('c'),
      combined_sha256: fp('c'),
    });
  });

  it('makes version keys from the creation date, and later free ones sort after it', () => {
    expect(versionKeyOf(1700000000)).to.equal('20231114_2213');
    const products = tree([
      { os: 'x', versions: { '20231114_2213': fp('a'), '20231114_2213_01': fp('b') } },
    ]);
    const key = freeVersionKey(products.products['x:1.0:amd64:default'], 1700000000);
    expect(key).to.equal('20231114_2213_02');
    expect(key > '20231114_2213_01').to.equal(true);
    expect(freeVersionKey(undefined, 1700000000)).to.equal('20231114_2213');
  });

  it('gives aliases to the newest version, short ones for this architecture only', () => {
    const products = tree([
      { os: 'x', aliases: 'x', versions: { '20240101_0000': fp('a'), '20250101_0000': fp('b') } },
      { os: 'x', arch: 'arm64', aliases: 'x', versions: { '20250101_0000': fp('c') } },
      { os: 'y', versions: { notadate: fp('d') } },
    ]);
    const { images, aliases } = treeView(products, 'x86_64');
    const byFp = new Map(images.map((t) => [t.image.fingerprint, t.image]));
    expect(byFp.get(fp('b'))?.aliases.map((a) => a.name)).to.deep.equal(['x', 'x/amd64']);
    expect(byFp.get(fp('a'))?.aliases).to.deep.equal([]);
    expect(byFp.get(fp('c'))?.aliases.map((a) => a.name)).to.deep.equal(['x/arm64']);
    expect(byFp.has(fp('d')), 'a version without a date is skipped').to.equal(false);
    const short = aliases.filter((a) => a.name === 'x').map((a) => `${a.architecture} ${a.target}`);
    expect(short.sort()).to.deep.equal([`aarch64 ${fp('c')}`, `x86_64 ${fp('b')}`]);
    expect(resolveRef({ images, aliases }, 'x', 'x86_64').image.fingerprint).to.equal(fp('b'));
    expect(resolveRef({ images, aliases }, 'x/arm64', 'x86_64').image.fingerprint).to.equal(
      fp('c'),
    );
    expect(resolveRef({ images, aliases }, 'aaaa', 'x86_64').image.fingerprint).to.equal(fp('a'));
    expect(() => resolveRef({ images, aliases }, 'zzz', 'x86_64')).to.throw('no image zzz');
  });

  it('owns aliases per architecture, and refuses the <alias>/<arch> form of another product', () => {
    const products = tree([
      { os: 'x', aliases: 'x,shared', versions: { '20250101_0000': fp('a') } },
    ]);
    expect(aliasOwner(products, { key: 'y:1.0:amd64:default', arch: 'amd64' }, 'x')).to.equal(
      'x:1.0:amd64:default',
    );
    expect(aliasOwner(products, { key: 'y:1.0:arm64:default', arch: 'arm64' }, 'x')).to.equal(
      undefined,
    );
    expect(aliasOwner(products, { key: 'y:1.0:arm64:default', arch: 'arm64' }, 'x/amd64')).to.equal(
      'x:1.0:amd64:default',
    );
    expect(aliasOwner(products, { key: 'x:1.0:amd64:default', arch: 'amd64' }, 'x')).to.equal(
      undefined,
    );
    expect(defaultAliases('alpine', '3.19', 'default')).to.deep.equal([
      'alpine/3.19',
      'alpine/3.19/default',
    ]);
    expect(defaultAliases('alpine', '3.19', 'cloud')).to.deep.equal(['alpine/3.19/cloud']);
  });

  it('prunes to the newest versions and removes a product with its last version', () => {
    const products = tree([
      {
        os: 'x',
        versions: { '20240101_0000': fp('a'), '20250101_0000': fp('b'), '20230101_0000': fp('c') },
      },
    ]);
    expect(
      Object.keys(keepNewest(products, 2).products['x:1.0:amd64:default']!.versions).sort(),
    ).to.deep.equal(['20240101_0000', '20250101_0000']);
    const one = tree([{ os: 'x', versions: { '20240101_0000': fp('a') } }]);
    const [image] = treeView(one, 'x86_64').images;
    expect(withoutImage(one, image!).products).to.deep.equal({});
    expect(Object.keys(one.products), 'the input is not changed').to.have.length(1);
  });
});
