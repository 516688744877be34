import { expect } from 'chai';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError,
  InstanceRunningError,
  LxcError,
  NotFoundError,
  ValidationError,
  type Client,
} from '../../lib/index.js';
import { snapshotInstance } from '../../lib/testing/index.js';
import { eachDaemon } from '../support/matrix.js';
import { startPolling } from '../support/poll.js';
import { rejectionOf } from '../support/procs.js';
import {
  buildDirs,
  fingerprints,
  instance,
  needContainers,
  onPath,
  OWN_PROPERTIES,
  skipBecause,
  stageFor,
  type Stage,
} from '../support/publish-stage.js';

// The first bytes of each compressor's output (a tarball has `ustar` at byte 257).
const MAGIC: Record<string, (head: Buffer) => boolean> = {
  none: (h) => h.subarray(257, 262).toString() === 'ustar',
  gzip: (h) => h.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])),
  pigz: (h) => h.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])),
  bzip2: (h) => h.subarray(0, 3).toString() === 'BZh',
  lzma: (h) => h.subarray(0, 3).equals(Buffer.from([0x5d, 0x00, 0x00])),
  xz: (h) => h.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])),
  zstd: (h) => h.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])),
  // pzstd starts with a skippable frame that holds the size of the next one
  pzstd: (h) => h.subarray(0, 4).equals(Buffer.from([0x50, 0x2a, 0x4d, 0x18])),
  squashfs: (h) => h.subarray(0, 4).toString() === 'hsqs',
};

// The first 512 bytes of the last file an export wrote (the rootfs, for a split image).
async function head(client: Client, fingerprint: string, parent: string): Promise<Buffer> {
  const dir = await mkdtemp(join(parent, 'export-'));
  try {
    const { files } = await client.images.export('local', fingerprint, dir);
    const file = await open(files.at(-1)!, 'r');
    const buffer = Buffer.alloc(512);
    await file.read(buffer, 0, 512, 0);
    await file.close();
    return buffer;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

eachDaemon('images.publish', function (d) {
  let stage: Stage;
  let client: Client;
  let c1: string;
  before(async function () {
    this.timeout(300_000);
    stage = await stageFor(d.binary);
    client = d.clientFor(stage.sandbox);
    c1 = await instance(stage, `c1-${d.tag}`);
  });

  it('publishes an instance: properties merged over its image’s, public, expiresAt, aliases', async function () {
    const expiresAt = new Date('2031-01-02T03:04:05Z');
    const image = await client.images.publish('local', c1, {
      aliases: [`pub/${d.tag}`, `pub2-${d.tag}`],
      properties: { team: 'qa', os: 'mine' },
      public: true,
      expiresAt,
    });
    // the base image was imported with owner=ops besides metadata.yaml's description, os, release
    expect(image.properties).to.deep.equal({
      ...OWN_PROPERTIES,
      owner: 'ops',
      os: 'mine',
      team: 'qa',
    });
    expect(image.public).to.equal(true);
    expect(image.expires_at?.toISOString()).to.equal(expiresAt.toISOString());
    expect(image.aliases.map((a) => a.name).sort()).to.deep.equal([
      `pub/${d.tag}`,
      `pub2-${d.tag}`,
    ]);
    const read = await client.images.getByAlias('local', `pub/${d.tag}`);
    expect(read.fingerprint).to.equal(image.fingerprint);
  });

  it('without properties, the image keeps its own; the same image again is a ConflictError naming it', async function () {
    const name = await instance(stage, `same-${d.tag}`);
    // LXD packs an unchanged instance into the same tarball; Incus only within the same second
    // (it rewrites metadata.yaml's creation date), so a pair that straddles a second is undone
    let conflict: unknown;
    for (let i = 0; i < 20 && conflict === undefined; i++) {
      const first = await client.images.publish('local', name, { expiresAt: null });
      expect(first.properties).to.deep.equal(OWN_PROPERTIES);
      expect(first.expires_at).to.equal(null);
      const again = await client.images.publish('local', name).then(
        (image) => client.images.delete('local', image.fingerprint),
        (error: unknown) => error,
      );
      if (again !== undefined) {
        conflict = again;
        expect(conflict).to.be.instanceOf(ConflictError);
        expect((conflict as Error).message).to.include(first.fingerprint);
      }
      // the other transport's run publishes an instance of the same image: the same tarball on LXD
      await client.images.delete('local', first.fingerprint);
    }
    expect(conflict).to.be.instanceOf(ConflictError);
  });

  it('publishes a snapshot', async function () {
    await snapshotInstance(stage.sandbox, c1, 'snap0');
    const image = await client.images.publish('local', `${c1}/snap0`, {
      aliases: [`snap-${d.tag}`],
      properties: { k: 'v' },
    });
    expect(image.properties).to.deep.equal({ ...OWN_PROPERTIES, owner: 'ops', k: 'v' });
    expect(image.aliases.map((a) => a.name)).to.deep.equal([`snap-${d.tag}`]);
  });

  it('moves a taken alias with one guarded write: a concurrent reader never finds it missing', async function () {
    const alias = `moving-${d.tag}`;
    await client.images.aliases.create('local', { name: alias, target: stage.baseFingerprint });
    const polling = startPolling([
      () => client.images.aliases.info('local', alias, (a) => a.target),
    ]);
    const image = await client.images
      .publish('local', c1, { aliases: [alias], properties: { moved: d.tag } })
      .finally(() => polling.stop());
    const { seen, misses } = await polling.stop();
    expect(misses, 'the alias was never missing').to.deep.equal([]);
    expect([...seen].every((t) => t === stage.baseFingerprint || t === image.fingerprint)).to.equal(
      true,
    );
    expect(await client.images.aliases.info('local', alias, (a) => a.target)).to.equal(
      image.fingerprint,
    );
  });

  it('a failed publish points no alias and leaves no image', async function () {
    // a compressor that is allowed but fails inside the operation: pigz is not installed here
    if (onPath('pigz')) skipBecause(this, 'pigz is installed, so a pigz publish does not fail');
    const alias = `kept-${d.tag}`;
    await client.images.aliases.create('local', { name: alias, target: stage.baseFingerprint });
    const before = await fingerprints(client);
    const error = await rejectionOf(
      client.images.publish('local', c1, {
        compression: 'pigz',
        aliases: [alias, `new-${d.tag}`],
        properties: { failed: d.tag },
      }),
    );
    // LXD: `exec: "pigz": executable file not found in $PATH`, not a NotFoundError
    expect(error).to.be.instanceOf(LxcError).and.not.instanceOf(NotFoundError);
    expect((error as Error).message).to.match(/pigz/);
    expect(await client.images.aliases.info('local', alias, (a) => a.target)).to.equal(
      stage.baseFingerprint,
    );
    expect(await client.images.exists('local', `new-${d.tag}`)).to.equal(false);
    expect(await fingerprints(client)).to.deep.equal(before);
  });

  it('compresses with every allowed value, with or without a level', async function () {
    this.timeout(300_000);
    const values = [...Object.keys(MAGIC), 'gzip -1', 'xz -9', 'zstd -3'];
    for (const compression of values) {
      const published = client.images.publish('local', c1, {
        compression,
        properties: { compression, tag: d.tag },
      });
      if (compression === 'pigz' && !onPath('pigz')) {
        expect(await rejectionOf(published)).to.be.instanceOf(LxcError);
        continue;
      }
      const image = await published;
      const kind = compression.split(' ')[0]!;
      const bytes = await head(client, image.fingerprint, stage.sandbox.dir);
      expect(MAGIC[kind]!(bytes), compression).to.equal(true);
      await client.images.delete('local', image.fingerprint);
    }
  });

  it('refuses any other compression before a request (LXD would leave a build directory)', async function () {
    const before = await fingerprints(client);
    const leftovers = await buildDirs(stage);
    const bad = [
      'lz4',
      'bogus',
      'gzip -10',
      'gzip -0',
      'xz --rsyncable',
      'gzip; rm -rf /',
      'GZIP',
      ' xz',
      '',
      'gzip\u0000',
    ];
    for (const compression of bad) {
      const error = await rejectionOf(client.images.publish('local', c1, { compression }));
      expect(error, compression)
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'compression');
    }
    expect(await fingerprints(client)).to.deep.equal(before);
    expect(await buildDirs(stage)).to.deep.equal(leftovers);
  });

  it('refuses a bad source before a request; a missing instance or snapshot is a NotFoundError', async function () {
    for (const source of ['', '-c1', '--all', 'c\u00001', 'a/b/c', `${c1}/`, '/snap', `${c1}/-s`]) {
      const error = await rejectionOf(client.images.publish('local', source));
      expect(error, JSON.stringify(source)).to.be.instanceOf(ValidationError);
    }
    for (const source of [`nope-${d.tag}`, `${c1}/nope`]) {
      const error = await rejectionOf(client.images.publish('local', source));
      expect(error, source).to.be.instanceOf(NotFoundError);
    }
  });

  it('refuses a running instance without force, with a message that says to pass force', async function () {
    needContainers(this, stage);
    const name = await instance(stage, `run-${d.tag}`, { start: true });
    const before = await fingerprints(client);
    const error = await rejectionOf(client.images.publish('local', name));
    expect(error).to.be.instanceOf(InstanceRunningError).and.instanceOf(ConflictError);
    expect(error).to.have.property('code', 'ERR_LXC_INSTANCE_RUNNING');
    expect((error as Error).message).to.include('force');
    expect(await fingerprints(client)).to.deep.equal(before);
    expect(await status(client, name)).to.deep.equal({ status: 'Running', ephemeral: false });
  });

  it('force: stops, publishes and starts again; an ephemeral instance is kept', async function () {
    needContainers(this, stage);
    const name = await instance(stage, `eph-${d.tag}`, { start: true, ephemeral: true });
    const image = await client.images.publish('local', name, {
      force: true,
      aliases: [`forced-${d.tag}`],
      properties: { forced: d.tag },
    });
    expect(image.properties.forced).to.equal(d.tag);
    expect(await status(client, name)).to.deep.equal({ status: 'Running', ephemeral: true });
  });

  it('force: the instance runs again after a failed publish too', async function () {
    needContainers(this, stage);
    if (onPath('pigz')) skipBecause(this, 'pigz is installed, so a pigz publish does not fail');
    const name = await instance(stage, `fail-${d.tag}`, { start: true, ephemeral: true });
    const before = await fingerprints(client);
    const error = await rejectionOf(
      client.images.publish('local', name, { force: true, compression: 'pigz' }),
    );
    expect(error).to.be.instanceOf(LxcError);
    expect(await status(client, name)).to.deep.equal({ status: 'Running', ephemeral: true });
    expect(await fingerprints(client)).to.deep.equal(before);
  });
});

// The status and the ephemeral flag of an instance.
function status(client: Client, name: string): Promise<{ status: string; ephemeral: boolean }> {
  return client.query('local', `/1.0/instances/${name}`, (value) => {
    const v = value as { status: string; ephemeral: boolean };
    return { status: v.status, ephemeral: v.ephemeral };
  });
}
