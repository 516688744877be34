import { expect } from 'chai';
import sinon from 'sinon';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { argv, body, cliError, F0, fixture, ok, rejection, stubClient } from './helpers.js';

const IMAGE = fixture('image.lxd.json');
// The same image after earlier edits: other profiles, public, auto-updating, expiring.
const EDITED = JSON.stringify({
  ...(JSON.parse(IMAGE) as object),
  profiles: ['other'],
  public: true,
  auto_update: true,
  expires_at: '2030-01-02T03:04:05Z',
});

// A stub client whose calls answer: current image, empty write output, image read back.
function editing(current = IMAGE) {
  const stub = stubClient();
  stub.run.onCall(0).resolves(ok(current));
  stub.run.onCall(1).resolves(ok(''));
  stub.run.resolves(ok(IMAGE));
  return stub;
}

describe('images.replace', () => {
  it('PUTs the body over the current writable fields and reads the image back', async () => {
    const { run, client } = editing(EDITED);
    const image = await client.images.replace('local', F0, { properties: { os: 'x' } });
    expect(argv(run, 1).slice(0, 2)).to.deep.equal(['query', '--request=PUT']);
    expect(argv(run, 1).at(-1)).to.equal(`local:/1.0/images/${F0}`);
    expect(body(run, 1)).to.deep.equal({
      auto_update: true,
      public: true,
      profiles: ['other'],
      expires_at: '2030-01-02T03:04:05.000Z',
      properties: { os: 'x' },
    });
    expect(argv(run, 2)).to.deep.equal(['query', `local:/1.0/images/${F0}`]);
    expect(image.fingerprint).to.equal(F0);
  });

  it('sends a Date expires_at as RFC 3339', async () => {
    const { run, client } = editing();
    await client.images.replace('local', F0, { expires_at: new Date('2031-05-06T07:08:09Z') });
    expect(body(run, 1)).to.include({ expires_at: '2031-05-06T07:08:09.000Z' });
  });

  // 0001 would keep the old expiry; the epoch clears it
  it('clears expires_at with null', async () => {
    const { run, client } = editing(EDITED);
    await client.images.replace('local', F0, { expires_at: null });
    expect(body(run, 1)).to.include({ expires_at: '1970-01-01T00:00:00Z' });
  });

  it('resolves an alias to its fingerprint before the PUT', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(fixture('alias.lxd.json')));
    run.onCall(1).resolves(ok(IMAGE));
    run.onCall(2).resolves(ok(''));
    run.resolves(ok(IMAGE));
    await client.images.replace('local', 'a', { public: true });
    expect(argv(run, 2).at(-1)).to.equal(`local:/1.0/images/${F0}`);
  });

  it('refuses unknown fields, bad property keys and empty profiles without running', async () => {
    const { run, client } = stubClient();
    for (const bad of [{ size: 1 }, { properties: { '-x': 'y' } }, { profiles: [''] }]) {
      const err = await rejection(client.images.replace('local', F0, bad));
      expect(err, JSON.stringify(bad)).to.be.instanceOf(ValidationError);
    }
    sinon.assert.notCalled(run);
  });
});

describe('images.update', () => {
  it('PATCHes only the given fields', async () => {
    const { run, client } = editing();
    await client.images.update('local', F0, { properties: { c: 'd' } });
    expect(argv(run, 1)).to.deep.equal([
      'query',
      '--request=PATCH',
      '--data={"properties":{"c":"d"}}',
      `local:/1.0/images/${F0}`,
    ]);
  });

  it('takes a mutator in the options slot', async () => {
    const { client } = editing();
    expect(await client.images.update('local', F0, { public: false }, (i) => i.public)).to.equal(
      false,
    );
  });

  // the daemons ignore `profiles` and `expires_at` in a PATCH
  it('applies profiles (the daemon ignores them in a PATCH)', async () => {
    const { run, client } = editing();
    await client.images.update('local', F0, { profiles: ['other'] });
    expect(argv(run, 1)[1]).to.equal('--request=PUT');
    expect(body(run, 1)).to.deep.include({ profiles: ['other'] });
  });
});

describe('images.delete', () => {
  it('waits by default (--wait) and resolves to undefined', async () => {
    const { run, client } = editing();
    run.onCall(1).resolves(ok('{"status":"Success"}\n\n'));
    expect(await client.images.delete('local', F0)).to.equal(undefined);
    expect(argv(run, 1)).to.deep.equal([
      'query',
      '--request=DELETE',
      '--wait',
      `local:/1.0/images/${F0}`,
    ]);
  });

  it('resolves to the running Operation with wait: false', async () => {
    const { run, client } = editing();
    run.onCall(1).resolves(ok(fixture('operation-delete.incus.json')));
    const op = await client.images.delete('local', F0, { wait: false });
    expect(argv(run, 1)).to.deep.equal(['query', '--request=DELETE', `local:/1.0/images/${F0}`]);
    expect(op).to.include({ status: 'Running', description: 'Deleting image' });
  });

  it('rejects NotFoundError when the image is gone', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('Image not found'));
    expect(await rejection(client.images.delete('local', F0))).to.be.instanceOf(NotFoundError);
  });
});

describe('images.getProperty / setProperty / unsetProperty', () => {
  it('getProperty reads one key, undefined when absent (also for inherited names)', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(IMAGE));
    expect(await client.images.getProperty('local', F0, 'os')).to.equal('testos');
    expect(await client.images.getProperty('local', F0, 'nosuch')).to.equal(undefined);
    expect(await client.images.getProperty('local', F0, 'constructor')).to.equal(undefined);
  });

  it('setProperty PATCHes one key', async () => {
    const { run, client } = editing();
    await client.images.setProperty('local', F0, 'user.owner', 'ops team');
    expect(argv(run, 1)[1]).to.equal('--request=PATCH');
    expect(body(run, 1)).to.deep.equal({ properties: { 'user.owner': 'ops team' } });
  });

  it('unsetProperty PUTs the properties without the key, keeping the rest', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(EDITED));
    run.onCall(1).resolves(ok(''));
    run.resolves(ok(IMAGE));
    await client.images.unsetProperty('local', F0, 'os');
    sinon.assert.calledThrice(run); // read, PUT, read back
    expect(argv(run, 1)[1]).to.equal('--request=PUT');
    expect(body(run, 1)).to.deep.include({
      properties: { description: 'Test image 0', release: '1.0' },
      profiles: ['other'],
      public: true,
    });
  });

  it('refuse a bad key or a value with a newline without running', async () => {
    const { run, client } = stubClient();
    const errors = [
      await rejection(client.images.getProperty('local', F0, 'a b')),
      await rejection(client.images.setProperty('local', F0, '-k', 'v')),
      await rejection(client.images.setProperty('local', F0, 'k', 'a\nb')),
      await rejection(client.images.unsetProperty('local', F0, '')),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal([
      'key',
      'key',
      'value',
      'key',
    ]);
    sinon.assert.notCalled(run);
  });
});
