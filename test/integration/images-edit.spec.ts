import { expect } from 'chai';
import { ConflictError, NotFoundError } from '../../lib/index.js';
import type { Sandbox } from '../../lib/testing/index.js';
import { newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import type { TestImage } from '../support/make-image.js';
import { rejectionOf } from '../support/procs.js';

eachDaemon('images edits', function (d) {
  let sandbox: Sandbox;
  let image: TestImage;

  before(async function () {
    sandbox = d.sandbox;
    await sandbox.run(['profile', 'create', 'extra']).catch(() => undefined);
  });
  beforeEach(async function () {
    image = await newImage({ os: 'editos' });
    await sandbox.run(['image', 'import', image.path, 'keep=1', 'drop=2']);
  });

  it('replace replaces properties whole and keeps fields left out', async function () {
    const client = sandbox.client;
    await client.query('local', `/1.0/images/${image.fingerprint}`, {
      method: 'PUT',
      body: {
        profiles: ['default', 'extra'],
        public: true,
        properties: { keep: '1', drop: '2' },
      },
    });
    const replaced = await client.images.replace('local', image.fingerprint, {
      properties: { keep: '1', added: 'x' },
    });
    expect(replaced.properties).to.deep.equal({ keep: '1', added: 'x' });
    expect(replaced.profiles).to.deep.equal(['default', 'extra']);
    expect(replaced.public).to.equal(true);
    const expiry = new Date('2031-01-02T03:04:05Z');
    const later = await client.images.replace(
      'local',
      image.fingerprint,
      { expires_at: expiry, auto_update: true },
      (i) => i,
    );
    expect(later.expires_at?.toISOString()).to.equal(expiry.toISOString());
    expect(later.auto_update).to.equal(true);
    expect(later.properties).to.deep.equal({ keep: '1', added: 'x' });
    const cleared = await client.images.replace('local', image.fingerprint, { expires_at: null });
    expect(cleared.expires_at).to.equal(null);
  });

  it('update merges properties in (PATCH)', async function () {
    const updated = await d.client.images.update('local', image.fingerprint, {
      properties: { added: 'y' },
      public: true,
    });
    expect(updated.properties).to.include({ keep: '1', drop: '2', added: 'y' });
    expect(updated.public).to.equal(true);
    expect(
      await d.client.images.update('local', image.fingerprint, { public: false }, (i) => i.public),
    ).to.equal(false);
  });

  it('getProperty, setProperty and unsetProperty (which removes the key)', async function () {
    const { images } = sandbox.client;
    expect(await images.getProperty('local', image.fingerprint, 'keep')).to.equal('1');
    expect(await images.getProperty('local', image.fingerprint, 'nosuch')).to.equal(undefined);
    const set = await images.setProperty('local', image.fingerprint, 'owner', 'ops team');
    expect(set.properties.owner).to.equal('ops team');
    const unset = await images.unsetProperty('local', image.fingerprint, 'drop');
    expect(Object.keys(unset.properties)).to.not.include('drop');
    expect(unset.properties).to.include({ keep: '1', owner: 'ops team' });
  });

  it('delete waits by default', async function () {
    const resolvedTo = await d.client.images.delete('local', image.fingerprint, (v) => typeof v);
    expect(resolvedTo).to.equal('undefined');
    expect(await d.client.images.exists('local', image.fingerprint)).to.equal(false);
    expect(await rejectionOf(d.client.images.delete('local', image.fingerprint))).to.be.instanceOf(
      NotFoundError,
    );
  });

  it('delete with wait: false resolves to an Operation that operations.wait finishes', async function () {
    const op = await d.client.images.delete('local', image.fingerprint, { wait: false });
    expect(op.id).to.be.a('string');
    expect(op.class).to.equal('task');
    const done = await d.client.operations.wait('local', op.id);
    expect(done.status).to.equal('Success');
    expect(await d.client.images.exists('local', image.fingerprint)).to.equal(false);
  });
});

eachDaemon('images.aliases', function (d) {
  let sandbox: Sandbox;
  let first: TestImage;
  let second: TestImage;
  const tag = `${d.binary}-${d.transport}`;

  before(async function () {
    sandbox = d.sandbox;
    first = await newImage();
    second = await newImage();
    await sandbox.run(['image', 'import', first.path]);
    await sandbox.run(['image', 'import', second.path]);
  });

  for (const special of [
    'alpine/3.19',
    'with space',
    'what?',
    'hash#tag',
    'per%cent',
    'a/b?c#d%e f',
  ]) {
    const name = `${special}@${tag}`;
    it(`create, info, update, replace, rename, delete: ${JSON.stringify(special)}`, async function () {
      const aliases = d.client.images.aliases;
      const created = await aliases.create('local', {
        name,
        target: first.fingerprint,
        description: 'one',
      });
      expect(created).to.include({
        name,
        target: first.fingerprint,
        description: 'one',
        type: 'container',
      });
      expect(await aliases.info('local', name, (a) => a.target)).to.equal(first.fingerprint);
      expect(await d.client.images.info('local', name, (i) => i.fingerprint)).to.equal(
        first.fingerprint,
      );
      const updated = await aliases.update('local', name, { description: 'two' });
      expect(updated).to.include({ target: first.fingerprint, description: 'two' });
      const replaced = await aliases.replace('local', name, {
        target: second.fingerprint.slice(0, 16),
      });
      expect(replaced).to.include({ target: second.fingerprint, description: '' });
      const renamed = await aliases.rename('local', name, `${name}-new`);
      expect(renamed.name).to.equal(`${name}-new`);
      expect(await rejectionOf(aliases.info('local', name))).to.be.instanceOf(NotFoundError);
      expect((await aliases.list('local')).map((a) => a.name)).to.include(`${name}-new`);
      await aliases.delete('local', `${name}-new`);
      expect(await rejectionOf(aliases.info('local', `${name}-new`))).to.be.instanceOf(
        NotFoundError,
      );
    });
  }

  it('an alias that exists gives ConflictError', async function () {
    const aliases = d.client.images.aliases;
    await aliases.create('local', { name: `taken-${tag}`, target: first.fingerprint });
    const error = await rejectionOf(
      aliases.create('local', { name: `taken-${tag}`, target: second.fingerprint }),
    );
    expect(error).to.be.instanceOf(ConflictError);
    await aliases.create('local', { name: `free-${tag}`, target: second.fingerprint });
    expect(
      await rejectionOf(aliases.rename('local', `free-${tag}`, `taken-${tag}`)),
    ).to.be.instanceOf(ConflictError);
  });

  it('mutators work in both slots and may be async; a throwing one rejects', async function () {
    const aliases = d.client.images.aliases;
    await aliases.create('local', { name: `mut-${tag}`, target: first.fingerprint }, async (a) =>
      Promise.resolve(a.name),
    );
    expect(await aliases.list('local', (l) => l.length)).to.be.above(0);
    expect(
      await aliases.list('local', {}, async (l) =>
        Promise.resolve(l.some((a) => a.name === `mut-${tag}`)),
      ),
    ).to.equal(true);
    const boom = new Error('boom');
    expect(
      await rejectionOf(
        aliases.info('local', `mut-${tag}`, () => {
          throw boom;
        }),
      ),
    ).to.equal(boom);
  });
});
