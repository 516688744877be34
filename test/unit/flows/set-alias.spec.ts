import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, F1, fixture, rejection } from '../helpers.js';
import { NotFoundError, ValidationError } from '../../../lib/wire/errors.js';

const ALIAS = fixture('alias.lxd.json');
const OTHER = ALIAS.replace(F0, F1);
const KEY = 'local:/1.0/images/aliases/web%2Fv1';

describe('images.aliases.set', () => {
  it('creates a missing alias with one POST, and reads it back', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases', '');
    fake.on(`GET ${KEY}`, ALIAS);
    const alias = await client.images.aliases.set('local', 'web/v1', F0, { description: 'd' });
    expect(alias.target).to.equal(F0);
    expect(fake.keys()).to.deep.equal(['POST local:/1.0/images/aliases', `GET ${KEY}`]);
    expect(fake.body('POST local:/1.0/images/aliases')).to.deep.equal({
      name: 'web/v1',
      target: F0,
      description: 'd',
    });
  });

  it('moves a taken alias with one guarded PUT, keeping its description, never a DELETE', async () => {
    const { fake, client } = fakeClient();
    const described = JSON.stringify({ ...(JSON.parse(OTHER) as object), description: 'mine' });
    fake.on('POST local:/1.0/images/aliases', cliError('Alias "web/v1" already exists'));
    fake.on(`GET ${KEY}`, { body: described, etag: '"e3"' }, ALIAS);
    fake.on(`PUT ${KEY}`, '');
    await client.images.aliases.set('local', 'web/v1', F0);
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases',
      `GET ${KEY}`,
      `PUT ${KEY}`,
      `GET ${KEY}`,
    ]);
    const put = fake.sent(`PUT ${KEY}`)[0]?.api;
    expect(put?.body).to.deep.equal({ target: F0, description: 'mine' });
    expect(put?.etag).to.equal('"e3"');
  });

  it('writes nothing when the alias points at the target already', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases', cliError('Alias "web/v1" already exists'));
    fake.on(`GET ${KEY}`, ALIAS);
    await client.images.aliases.set('local', 'web/v1', F0);
    expect(fake.keys().filter((k) => k.startsWith('PUT'))).to.deep.equal([]);
  });

  it('creates the alias after all when it was deleted between the POST and the PUT', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases', cliError('Alias "web/v1" already exists'), '');
    fake.on(`GET ${KEY}`, cliError('Image alias not found'), ALIAS);
    await client.images.aliases.set('local', 'web/v1', F0);
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases',
      `GET ${KEY}`,
      'POST local:/1.0/images/aliases',
      `GET ${KEY}`,
    ]);
  });

  it('resolves a target given as another alias first', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/stable', OTHER);
    fake.on(`GET local:/1.0/images/${F1}`, fixture('image.lxd.json').replace(F0, F1));
    fake.on('POST local:/1.0/images/aliases', '');
    fake.on(`GET ${KEY}`, OTHER);
    await client.images.aliases.set('local', 'web/v1', 'stable');
    expect(fake.body('POST local:/1.0/images/aliases')).to.deep.include({ target: F1 });
  });

  it('rejects NotFoundError for a target that names no image, without writing', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/nope', cliError('Image alias not found'));
    const error = await rejection(client.images.aliases.set('local', 'web/v1', 'nope'));
    expect(error).to.be.instanceOf(NotFoundError);
    expect(fake.keys().some((k) => !k.startsWith('GET'))).to.equal(false);
  });

  it('refuses a bad name, target or description before sending anything', async () => {
    const { fake, client } = fakeClient();
    const errors = [
      await rejection(client.images.aliases.set('local', '-x', F0)),
      await rejection(client.images.aliases.set('local', 'x', '')),
      await rejection(client.images.aliases.set('local', 'x', F0, { description: 'a\0b' })),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal([
      'name',
      'target',
      'description',
    ]);
    expect(fake.keys()).to.deep.equal([]);
  });
});
