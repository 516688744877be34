import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, F1, F_ARM, fixture, rejection, SS_ALIASES, SS_LIST } from '../helpers.js';
import { NotFoundError, RemoteError, ValidationError } from '../../../lib/wire/errors.js';

describe('images.getByAlias', () => {
  it('reads the encoded alias, then its target image', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/alpine%2F3.19', fixture('alias.incus.json'));
    fake.on(`GET local:/1.0/images/${F0}`, fixture('image.incus.json'));
    const image = await client.images.getByAlias('local', 'alpine/3.19');
    expect(image.fingerprint).to.equal(F0);
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/images/aliases/alpine%2F3.19',
      `GET local:/1.0/images/${F0}`,
    ]);
  });

  it('does not treat a hex alias as a fingerprint prefix', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/a50c', cliError('Image alias not found'));
    const err = await rejection(client.images.getByAlias('local', 'a50c'));
    expect(err).to.be.instanceOf(NotFoundError);
    expect(fake.keys()).to.have.length(1);
  });

  it('lists a simplestreams remote and picks by alias only', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: t0 --format=json', fixture('image-list.lxd.json'));
    expect((await client.images.getByAlias('images', 't0')).fingerprint).to.equal(F1);
    expect(fake.keys()).to.deep.equal(['cli image list images: t0 --format=json']);
  });

  it("finds an arm64 product's short alias on a simplestreams remote through its alias list", async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: arm/1 --format=json', SS_LIST);
    fake.on('cli image alias list images: --format=json', SS_ALIASES);
    expect((await client.images.getByAlias('images', 'arm/1')).fingerprint).to.equal(F_ARM);
    expect(fake.keys()).to.deep.equal([
      'cli image list images: arm/1 --format=json',
      'cli image alias list images: --format=json',
    ]);
  });

  it('rejects NotFoundError on a simplestreams remote when only a prefix matches', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: a50c --format=json', fixture('image-list.lxd.json'));
    expect(await rejection(client.images.getByAlias('images', 'a50c'))).to.be.instanceOf(
      NotFoundError,
    );
  });

  it('applies a mutator after the options', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/a', fixture('alias.lxd.json'));
    fake.on(`GET local:/1.0/images/${F0}`, fixture('image.lxd.json'));
    expect(await client.images.getByAlias('local', 'a', {}, (i) => i.filename)).to.equal(
      't0.tar.gz',
    );
  });

  it('refuses a flag-like alias without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.getByAlias('local', '--help'));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'alias');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.exists', () => {
  it('resolves true when the image is found', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, fixture('image.lxd.json'));
    expect(await client.images.exists('local', F0)).to.equal(true);
  });

  it('resolves false on NotFoundError (alias, then prefix)', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/abc', cliError('Image alias not found'));
    fake.on('GET local:/1.0/images/abc', cliError('Image "abc" not found'));
    expect(await client.images.exists('local', 'abc')).to.equal(false);
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/images/aliases/abc',
      'GET local:/1.0/images/abc',
    ]);
  });

  it('resolves false on a simplestreams remote that lists nothing', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: nosuch --format=json', '[]');
    expect(await client.images.exists('images', 'nosuch')).to.equal(false);
  });

  it('resolves true for the short alias of another architecture on a simplestreams remote', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: arm/1 --format=json', SS_LIST);
    fake.on('cli image list images: arm/2 --format=json', '[]');
    fake.on('cli image alias list images: --format=json', SS_ALIASES);
    expect(await client.images.exists('images', 'arm/1')).to.equal(true);
    expect(await client.images.exists('images', 'arm/2')).to.equal(false);
  });

  it('rethrows other errors', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET r:/1.0/images/${F0}`, cliError('Missing TLS client certificate and key'));
    expect(await rejection(client.images.exists('r', F0))).to.be.instanceOf(RemoteError);
  });

  it('rejects a bad ref with ValidationError without sending anything', async () => {
    const { fake, client } = fakeClient();
    expect(await rejection(client.images.exists('local', '-x'))).to.be.instanceOf(ValidationError);
    expect(fake.keys()).to.deep.equal([]);
  });
});
