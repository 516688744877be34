import { expect } from 'chai';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, ValidationError, type ProgressEvent } from '../../lib/index.js';
import { getWorld, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { sha256Files, untrustedGet } from '../support/hash.js';
import { makeSplitImage } from '../support/make-image.js';
import { startPolling } from '../support/poll.js';
import { rejectionOf } from '../support/procs.js';

eachDaemon('images.import and importFromUrl', function (d) {
  const tag = `${d.binary}-${d.transport}`;

  it('imports a unified tarball path with aliases, public and properties', async function () {
    const image = await newImage();
    const imported = await d.client.images.import('local', image.path, {
      aliases: [`u/${tag}`, `u2-${tag}`],
      public: true,
      properties: { owner: 'ops', 'user.note': 'a=b c' },
    });
    expect(imported.fingerprint).to.equal(image.fingerprint);
    expect(imported.fingerprint).to.equal(await sha256Files(image.path));
    expect(imported.public).to.equal(true);
    expect(imported.properties).to.include({ owner: 'ops', 'user.note': 'a=b c', os: 'testos' });
    expect(imported.aliases.map((a) => a.name).sort()).to.deep.equal([`u/${tag}`, `u2-${tag}`]);
  });

  it('moves an alias that exists to the new image, as lxc image import --alias does', async function () {
    const first = await newImage();
    const second = await newImage();
    const name = `moved-${tag}`;
    await d.client.images.import('local', first.path, { aliases: [name] });
    await d.client.images.aliases.update('local', name, { description: 'old' });
    const imported = await d.client.images.import('local', second.path, { aliases: [name] });
    expect(imported.aliases.map((a) => a.name)).to.deep.equal([name]);
    expect(await d.client.images.aliases.info('local', name)).to.deep.include({
      target: second.fingerprint,
      description: '',
    });
  });

  it('moves a taken alias with one guarded write: concurrent readers never find it missing', async function () {
    const [first, second] = [await newImage(), await newImage({ filler: 2_000_000 })];
    const name = `taken-${tag}`;
    await d.client.images.import('local', first.path, { aliases: [name] });
    const reader = d.clientFor(d.sandbox);
    const info = (): Promise<string> => reader.images.aliases.info('local', name, (a) => a.target);
    const get = (): Promise<string> =>
      reader.images.getByAlias('local', name, (i) => i.fingerprint);
    const polling = startPolling([info, get, info, get]);
    const imported = await d.client.images
      .import('local', second.path, { aliases: [name] })
      .finally(() => polling.stop());
    const { seen, reads, misses } = await polling.stop();
    expect(misses).to.deep.equal([]);
    expect(reads).to.be.above(0);
    expect([...seen]).to.satisfy((all: string[]) =>
      all.every((t) => t === first.fingerprint || t === second.fingerprint),
    );
    expect(imported.fingerprint).to.equal(second.fingerprint);
    expect(await info()).to.equal(second.fingerprint);
  });

  it('imports a split image from {metadata, rootfs}', async function () {
    const { tmp } = await getWorld();
    const split = await makeSplitImage(join(tmp, 'split'), { seed: `${tag}-${Date.now()}` });
    const imported = await d.client.images.import('local', {
      metadata: split.metadata,
      rootfs: split.rootfs,
    });
    expect(imported.fingerprint).to.equal(split.fingerprint);
    expect(imported.fingerprint).to.equal(await sha256Files(split.metadata, split.rootfs));
  });

  it('imports a Buffer and a Readable', async function () {
    const fromBuffer = await newImage();
    const bytes = await readFile(fromBuffer.path);
    expect(await d.client.images.import('local', bytes, (i) => i.fingerprint)).to.equal(
      fromBuffer.fingerprint,
    );
    const fromStream = await newImage();
    const imported = await d.client.images.import(
      'local',
      createReadStream(fromStream.path),
      {},
      (i) => i,
    );
    expect(imported.fingerprint).to.equal(fromStream.fingerprint);
  });

  it('rejects a duplicate with ConflictError and a missing file with ValidationError', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path);
    expect(await rejectionOf(d.client.images.import('local', image.path))).to.be.instanceOf(
      ConflictError,
    );
    expect(
      await rejectionOf(d.client.images.import('local', '/no/such/file.tar.gz')),
    ).to.be.instanceOf(ValidationError);
  });

  it('importFromUrl uses the LXD url source', async function () {
    const { server } = await getWorld();
    const image = await newImage();
    const imported = await d.client.images.importFromUrl('local', server.directUrl(image), {
      aliases: [`url-${tag}`],
    });
    expect(imported.fingerprint).to.equal(image.fingerprint);
    expect(imported.aliases.map((a) => a.name)).to.deep.equal([`url-${tag}`]);
    expect(server.requests.some((r) => r.path === `/direct/${image.fingerprint}`)).to.equal(true);
    expect(
      await rejectionOf(d.client.images.importFromUrl('local', 'http://127.0.0.1/x')),
    ).to.be.instanceOf(ValidationError);
  });
});

eachDaemon('images.export', function (d) {
  let out: string;
  const tag = `${d.binary}-${d.transport}`;
  before(async function () {
    out = join((await getWorld()).tmp, `export-${tag}`);
    await mkdir(out, { recursive: true });
  });

  it('exports a unified image to a file path, whose sha256 is the fingerprint', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path, { aliases: [`exp-${tag}`] });
    const target = join(out, 'unified.tar.gz');
    const result = await d.client.images.export('local', `exp-${tag}`, target);
    expect(result).to.deep.equal({ fingerprint: image.fingerprint, files: [target] });
    expect(await sha256Files(target)).to.equal(image.fingerprint);
  });

  it('exports a unified image into a directory', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path);
    const dir = join(out, 'dir-unified');
    await mkdir(dir);
    const result = await d.client.images.export('local', image.fingerprint, dir, (r) => r.files);
    expect(result).to.deep.equal([join(dir, `${image.fingerprint}.tar.gz`)]);
    expect(await readdir(dir)).to.deep.equal([`${image.fingerprint}.tar.gz`]);
  });

  it('exports a split image as two files, to a directory and to a file path', async function () {
    const { tmp } = await getWorld();
    const split = await makeSplitImage(join(tmp, 'split'), {
      seed: `exp-${tag}-${Date.now()}`,
    });
    await d.client.images.import('local', split);
    const dir = join(out, 'dir-split');
    await mkdir(dir);
    const inDir = await d.client.images.export('local', split.fingerprint, dir);
    expect(inDir.files.map((f) => f.slice(dir.length + 1))).to.deep.equal([
      `meta-${split.fingerprint}.tar.gz`,
      `${split.fingerprint}.tar.gz`,
    ]);
    expect(await sha256Files(...inDir.files)).to.equal(split.fingerprint);
    const file = join(out, 'split-image');
    const toFile = await d.client.images.export('local', split.fingerprint, file);
    expect(toFile.files).to.deep.equal([file, `${file}.root`]);
    expect(await sha256Files(...toFile.files)).to.equal(split.fingerprint);
  });

  it('leaves nothing behind when the export fails', async function () {
    const dir = join(out, 'failed');
    await mkdir(dir);
    const error = await rejectionOf(
      d.client.images.export('local', 'f'.repeat(64), join(dir, 'x.tar.gz')),
    );
    expect((error as Error).name).to.equal('NotFoundError');
    expect(await readdir(dir)).to.deep.equal([]);
  });
});

eachDaemon('secrets', function (d) {
  it('an untrusted client fetches a private image with a secret until its token is cancelled', async function () {
    const sandbox = d.sandbox;
    const image = await newImage();
    await d.client.images.import('local', image.path);
    const url = `${sandbox.address!}/1.0/images/${image.fingerprint}`;
    expect((await untrustedGet(url)).status).to.equal(404);
    const { secret, operation } = await d.client.images.createSecret('local', image.fingerprint);
    expect(secret).to.match(/^[0-9a-f]{20,}$/);
    expect(operation.class).to.equal('token');
    const first = await untrustedGet(`${url}?secret=${secret}`);
    expect(first.status).to.equal(200);
    expect(
      (JSON.parse(first.body) as { metadata: { fingerprint: string } }).metadata.fingerprint,
    ).to.equal(image.fingerprint);
    // the first use cancels the token operation; the daemons still honour the secret for the
    // few seconds that a finished operation is kept, then refuse it
    const used = await d.client.operations.info('local', operation.id).catch(() => undefined);
    expect(used?.status ?? 'Cancelled').to.equal('Cancelled');
    let status = 200;
    for (let i = 0; i < 30 && status === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await untrustedGet(`${url}?secret=${secret}`)).status;
    }
    expect(status).to.equal(404);
  });
});

eachDaemon('importing a stream that is aborted', function (d) {
  it('rejects with AbortError, spawns nothing and imports nothing', async function () {
    const before = await d.client.images.fingerprints('local');
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i++) {
        if (i === 3) controller.abort();
        yield Buffer.alloc(64 * 1024, i);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const error = await rejectionOf(
      d.client.images.import('local', Readable.from(slow()), { signal: controller.signal }),
    );
    expect((error as Error).name).to.equal('AbortError');
    expect((await d.client.images.fingerprints('local')).sort()).to.deep.equal(before.sort());
  });
});

eachDaemon('import progress', function (d) {
  it('reports the upload of a file and the spooling of a stream', async function () {
    const image = await newImage({ filler: 40_000_000 });
    const events: ProgressEvent[] = [];
    await d.client.images.import('local', image.path, {
      onProgress: (e) => events.push(e),
    });
    expect(events.length).to.be.above(0);
    expect(events.every((e) => e.stage === 'import' && e.label === 'Uploading the image')).to.equal(
      true,
    );
    const percents = events.map((e) => e.percent ?? -1);
    expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    expect(events.at(-1)).to.include({ percent: 100, bytes: image.size });
  });
});
