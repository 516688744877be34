import { expect } from 'chai';
import {
  appendFile,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/index.js';
import { add, list, prune, remove, verify } from '../../lib/streams/index.js';
import { makeImage, makeSplitImage } from '../../lib/testing/index.js';
import { rejectionOf } from '../support/procs.js';
import { metadataFor, qcow2Bytes, tarball } from '../support/streams-files.js';

// Every test writes its own tree; nothing here needs a daemon.
describe('streams: a tree on disk', function () {
  let tmp: string;
  let n = 0;
  const newTree = (): string => join(tmp, `tree-${n++}`);
  const image = (os: string): ReturnType<typeof makeImage> =>
    makeImage(join(tmp, 'src'), { os, seed: `${os}-${n++}` });
  const products = async (dir: string): Promise<Record<string, unknown>> =>
    (
      JSON.parse(await readFile(join(dir, 'streams/v1/images.json'), 'utf8')) as {
        products: Record<string, unknown>;
      }
    ).products;

  before(async function () {
    tmp = await mkdtemp(join(tmpdir(), 'lxc-images-streams-'));
  });
  after(async function () {
    await rm(tmp, { recursive: true, force: true });
  });

  for (const compression of ['gzip', 'xz', 'zstd', 'none'] as const) {
    it(`adds a unified ${compression} tarball, read only as far as metadata.yaml; the fingerprint is the file's sha256`, async function () {
      const dir = newTree();
      const file = await tarball(tmp, `u-${compression}-${n++}`, {
        compression,
        metadata: metadataFor(`u${compression}`),
        dotSlash: compression === 'xz',
        filler: 2_000_000, // the decompressor still has output when the scan stops
      });
      const added = await add(dir, file.path, { aliases: [`u/${compression}`] });
      expect(added.fingerprint).to.equal(file.sha256);
      expect(added.properties).to.include({
        os: `u${compression}`,
        release: '1.0',
        type: 'tar.gz',
        serial: '20231114_2213',
      });
      expect(added.aliases.map((a) => a.name)).to.deep.equal([
        `u/${compression}`,
        `u/${compression}/amd64`,
      ]);
      expect(await list(dir)).to.deep.equal([added]);
      expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
    });
  }

  it('adds a split image (tarball rootfs, squashfs, qcow2 disk); the fingerprint is sha256(meta ‖ rootfs)', async function () {
    const dir = newTree();
    const split = await makeSplitImage(join(tmp, 'src'), { os: 'splitos' });
    const a = await add(dir, { metadata: split.metadata, rootfs: split.rootfs });
    expect(a.fingerprint).to.equal(split.fingerprint);
    expect(a.properties.type).to.equal('root.tar.xz');
    const meta = await tarball(tmp, `vm-meta-${n++}`, {
      metadata: metadataFor('vmos'),
      rootfs: 'none',
    });
    const disk = join(tmp, `disk-${n++}.qcow2`);
    await writeFile(disk, qcow2Bytes());
    const vm = await add(dir, { metadata: meta.path, rootfs: disk });
    expect(vm.type).to.equal('virtual-machine');
    expect(vm.properties.type).to.equal('disk-kvm.img');
    const squash = join(tmp, `root-${n++}.squashfs`);
    await writeFile(squash, Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(100, 7)]));
    const sq = await add(dir, { metadata: meta.path, rootfs: squash }, { os: 'sqos' });
    expect(sq.properties.type).to.equal('squashfs');
    expect((await list(dir, { filter: 'type=squashfs' })).map((i) => i.fingerprint)).to.deep.equal([
      sq.fingerprint,
    ]);
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
  });

  it('refuses a unified VM image, saying why', async function () {
    const file = await tarball(tmp, `vm-${n++}`, { rootfs: 'image' });
    const error = await rejectionOf(add(newTree(), file.path));
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.match(
      /unified virtual-machine image.*container only.*split/s,
    );
  });

  it('refuses what is not an image: not a tarball, no metadata.yaml, a missing file', async function () {
    const junk = join(tmp, 'junk.bin');
    await writeFile(junk, 'this is not a tarball\n'.repeat(100));
    const bare = await tarball(tmp, `bare-${n++}`, { metadata: null });
    const broken = join(tmp, 'broken.tar.gz');
    await writeFile(broken, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]));
    for (const [source, pattern] of [
      [junk, /not a tarball/],
      [bare.path, /no metadata\.yaml/],
      [broken, /not a readable tarball/],
      [join(tmp, 'nothing-here.tar.gz'), /not a file/],
    ] as const) {
      const dir = newTree();
      const error = await rejectionOf(add(dir, source));
      expect(error, source).to.be.instanceOf(ValidationError);
      expect((error as Error).message, source).to.match(pattern);
      expect(await list(dir)).to.deep.equal([]);
      expect(await readdir(join(dir, 'images')).catch(() => [])).to.deep.equal([]);
    }
  });

  it('refuses NUL, path traversal and bad names in every name, before anything is written', async function () {
    const img = await image('nameos');
    const dir = newTree();
    const cases: [string, () => Promise<unknown>][] = [
      ['NUL in the source', () => add(dir, `${img.path}\u0000x`)],
      ['NUL in the dir', () => add(`${dir}\u0000`, img.path)],
      ['alias ..', () => add(dir, img.path, { aliases: ['a/../../etc'] })],
      ['alias ,', () => add(dir, img.path, { aliases: ['a,b'] })],
      ['os ..', () => add(dir, img.path, { os: '..' })],
      ['release /', () => add(dir, img.path, { release: '1.0/../x' })],
      ['variant :', () => add(dir, img.path, { variant: 'a:b' })],
      ['version', () => add(dir, img.path, { version: '../20260101' })],
      ['architecture', () => add(dir, img.path, { architecture: 'z80' })],
      ['property', () => add(dir, img.path, { properties: { description: 'x' } })],
      ['200 KiB alias', () => add(dir, img.path, { aliases: ['x'.repeat(200 * 1024)] })],
      ['remove ref', () => remove(dir, '-rf')],
      ['list filter', () => list(dir, { filter: 'a\u0000' })],
      ['prune keep', () => prune(dir, { keep: 0 })],
      ['options', () => add(dir, img.path, 'x' as never)],
    ];
    for (const [what, call] of cases)
      expect(await rejectionOf(call()), what).to.be.instanceOf(ValidationError);
    expect(await readdir(dir).catch((e: unknown) => (e as NodeJS.ErrnoException).code)).to.equal(
      'ENOENT',
    );
  });

  it('refuses an alias of another product and an image the tree holds (ConflictError)', async function () {
    const dir = newTree();
    const a = await image('ownera');
    await add(dir, a.path, { aliases: ['shared'] });
    const b = await image('ownerb');
    const taken = await rejectionOf(add(dir, b.path, { aliases: ['shared'] }));
    expect(taken).to.be.instanceOf(ConflictError);
    expect((taken as Error).message).to.include('ownera:1.0:amd64:default');
    expect(await rejectionOf(add(dir, a.path, { os: 'elsewhere' }))).to.be.instanceOf(
      ConflictError,
    );
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
  });

  it('takes product fields from options over metadata.yaml, and a mutator in the options slot', async function () {
    const dir = newTree();
    const img = await image('metaos');
    const os = await add(
      dir,
      img.path,
      {
        os: 'given',
        release: '9',
        variant: 'cloud',
        version: '20260102_0304',
        properties: { label: 'nightly', 'requirements.secureboot': 'false' },
      },
      (i) => i.properties,
    );
    expect(os).to.include({
      os: 'given',
      release: '9',
      variant: 'cloud',
      serial: '20260102_0304',
      label: 'nightly',
      'requirements.secureboot': 'false',
    });
    expect(
      await list(dir, (images) => images.map((i) => i.aliases.map((a) => a.name))),
    ).to.deep.equal([['given/9/cloud', 'given/9/cloud/amd64']]);
    expect(Object.keys(await products(dir))).to.deep.equal(['given:9:amd64:cloud']);
  });

  it('keeps versions apart: a second image of a product is a newer version that gets the aliases', async function () {
    const dir = newTree();
    const v1 = await add(dir, (await image('twice')).path);
    const v2 = await add(dir, (await image('twice')).path);
    expect((v2.properties.serial ?? '') > (v1.properties.serial ?? '')).to.equal(true);
    const listed = await list(dir);
    expect(listed.map((i) => i.fingerprint)).to.deep.equal([v2.fingerprint, v1.fingerprint]);
    expect(listed[0]?.aliases.map((a) => a.name)).to.include('twice/1.0');
    expect(listed[1]?.aliases).to.deep.equal([]);
  });

  describe('verify', function () {
    // A tree with one unified and one split image; resolves to the paths of their files.
    async function damagedTree(): Promise<{
      dir: string;
      unified: string;
      meta: string;
      root: string;
    }> {
      const dir = newTree();
      await add(dir, (await image('damage')).path, { aliases: ['damage'] });
      const split = await makeSplitImage(join(tmp, 'src'), { os: 'damagesplit' });
      await add(dir, { metadata: split.metadata, rootfs: split.rootfs });
      const files = (await readdir(join(dir, 'images'))).map((f) => join(dir, 'images', f));
      const [unified] = await list(dir, { filter: 'os=damage' });
      const byName = (fp: string | undefined): string =>
        files.find((f) => fp !== undefined && f.includes(fp)) ?? '';
      const others = files.filter((f) => f !== byName(unified?.filename.slice(0, 64)));
      const sizes = await Promise.all(others.map(async (f) => (await readFile(f)).length));
      const [meta, root] = sizes[0]! < sizes[1]! ? others : [...others].reverse();
      return { dir, unified: byName(unified?.filename.slice(0, 64)), meta: meta!, root: root! };
    }
    const kinds = async (dir: string): Promise<string[]> =>
      (await verify(dir)).problems.map((p) => p.kind).sort();

    it('catches a flipped byte', async function () {
      const { dir, unified } = await damagedTree();
      const file = await open(unified, 'r+');
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, 100);
      await file.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, 100);
      await file.close();
      const result = await verify(dir);
      expect(result.ok).to.equal(false);
      expect(result.problems.map((p) => p.kind)).to.deep.equal(['sha256']);
      expect(result.problems[0]?.path).to.equal(`images/${unified.split('/').pop()}`);
    });

    it('catches a truncated file, and a split image whose combined hash no longer holds', async function () {
      const { dir, root } = await damagedTree();
      await truncate(root, 10);
      expect(await kinds(dir)).to.deep.equal(['combined', 'sha256', 'size']);
    });

    it('catches a missing file and an orphan', async function () {
      const { dir, unified } = await damagedTree();
      await rm(unified);
      await writeFile(join(dir, 'images', 'stray.tar.gz'), 'x');
      expect(await kinds(dir)).to.deep.equal(['missing', 'orphan']);
    });

    it('catches a dangling index entry and entries out of step', async function () {
      const { dir } = await damagedTree();
      const indexPath = join(dir, 'streams/v1/index.json');
      const index = JSON.parse(await readFile(indexPath, 'utf8')) as {
        index: { images: { products: string[] } };
      };
      index.index.images.products.push('ghost:1.0:amd64:default');
      await writeFile(indexPath, JSON.stringify(index));
      const productsPath = join(dir, 'streams/v1/images.json');
      const text = await readFile(productsPath, 'utf8');
      await writeFile(
        productsPath,
        text
          .replace('"incus_combined.tar.gz": {', '"incus_combined.tar.gz-gone": {')
          .replace('"ftype": "incus_combined.tar.gz"', '"ftype": "other"'),
      );
      const result = await verify(dir);
      expect(result.problems.map((p) => p.kind).sort()).to.deep.equal(['index', 'step']);
      expect(result.problems.find((p) => p.kind === 'index')?.detail).to.include('ghost');
    });

    it('does not read outside the tree when an entry names ../', async function () {
      const { dir } = await damagedTree();
      const productsPath = join(dir, 'streams/v1/images.json');
      const text = await readFile(productsPath, 'utf8');
      await writeFile(
        productsPath,
        text.replaceAll(
          /"path": "images\/[0-9a-f]{64}\.tar\.gz"/g,
          '"path": "../../../etc/passwd"',
        ),
      );
      const result = await verify(dir);
      expect(result.ok).to.equal(false);
      expect(result.problems.map((p) => p.kind)).to.include('path');
      await prune(dir, { keep: 5 });
      expect((await readFile('/etc/passwd', 'utf8')).length).to.be.above(0);
    });
  });

  it('removes by alias, by unique prefix and by fingerprint, and deletes the files no longer named', async function () {
    const dir = newTree();
    const v1 = await add(dir, (await image('rmos')).path, { aliases: ['rmos'] });
    const v2 = await add(dir, (await image('rmos')).path);
    const other = await add(dir, (await image('keepos')).path);
    await remove(dir, 'rmos');
    expect((await list(dir)).map((i) => i.fingerprint).sort()).to.deep.equal(
      [v1.fingerprint, other.fingerprint].sort(),
    );
    await remove(dir, v1.fingerprint.slice(0, 12));
    expect(await rejectionOf(remove(dir, v2.fingerprint))).to.be.instanceOf(NotFoundError);
    expect(await rejectionOf(remove(dir, 'rmos'))).to.be.instanceOf(NotFoundError);
    expect(Object.keys(await products(dir))).to.deep.equal(['keepos:1.0:amd64:default']);
    expect(await readdir(join(dir, 'images'))).to.have.length(1);
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
  });

  it('prunes to the newest versions, and removes orphans and dead temporary files; dryRun changes nothing', async function () {
    const dir = newTree();
    const added = [];
    for (let i = 0; i < 3; i++) added.push(await add(dir, (await image('pruneos')).path));
    const single = await add(dir, (await image('singleos')).path);
    await writeFile(join(dir, 'images', 'orphan.tar.gz'), 'x');
    await writeFile(join(dir, 'images', '.tmp-999999999-abcdef-image'), 'partial');
    const dry = await prune(dir, { keep: 1, dryRun: true });
    expect([...dry.removed].sort()).to.deep.equal(
      [added[0]!.fingerprint, added[1]!.fingerprint].sort(),
    );
    expect(dry.files).to.have.length(4);
    expect(await list(dir)).to.have.length(4);
    const done = await prune(dir, { keep: 1 });
    expect(done).to.deep.equal(dry);
    expect([...done.kept].sort()).to.deep.equal([added[2]!.fingerprint, single.fingerprint].sort());
    expect((await list(dir)).map((i) => i.fingerprint).sort()).to.deep.equal([...done.kept].sort());
    expect(await readdir(join(dir, 'images'))).to.have.length(2);
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
  });

  it('lists an empty or missing-index tree as empty, and refuses a dir that does not exist', async function () {
    const dir = newTree();
    await add(dir, (await image('emptyos')).path).then(() => remove(dir, 'emptyos/1.0'));
    expect(await list(dir)).to.deep.equal([]);
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
    expect(await rejectionOf(list(join(tmp, 'no-such-tree')))).to.be.instanceOf(ValidationError);
  });

  it('reports progress while copying', async function () {
    const events: number[] = [];
    const big = await makeImage(join(tmp, 'src'), { os: 'progressos', filler: 3_000_000 });
    await add(newTree(), big.path, { onProgress: (e) => events.push(e.percent ?? -1) });
    expect(events.length).to.be.above(1);
    expect(events).to.deep.equal([...events].sort((a, b) => a - b));
    expect(events.at(-1)).to.equal(100);
  });

  it('does not call a file outside images/ (a README) an orphan', async function () {
    const dir = newTree();
    await add(dir, (await image('ownos')).path);
    await appendFile(join(dir, 'README'), 'mine\n');
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
  });
});
