import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, F1, fixture, rejection } from '../helpers.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../lib/wire/errors.js';

const ALIAS = fixture('alias.lxd.json');
const SPLIT = 'eb8e988623d078afbaead7f22a7ea29a16a4da92017f1d66816bc47efebe911c';

describe('images.aliases.list', () => {
  it('GETs /1.0/images/aliases?recursion=1 with the project', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases?recursion=1&project=p', fixture('aliases.incus.json'));
    const aliases = await client.images.aliases.list('local', { project: 'p' });
    expect(fake.keys()).to.deep.equal(['GET local:/1.0/images/aliases?recursion=1&project=p']);
    expect(aliases.map((a) => a.name)).to.deep.equal(['a', 't0', 'zz2']);
  });

  it('runs image alias list on a simplestreams remote', async () => {
    const { fake, client } = fakeClient();
    fake.on(
      'cli image alias list images: --format=json',
      JSON.stringify([{ name: 'alpine/3.19', target: F0 }]) + '\n',
    );
    const aliases = await client.images.aliases.list('images', (list) => list.map((a) => a.name));
    expect(aliases).to.deep.equal(['alpine/3.19']);
    expect(fake.keys()).to.deep.equal(['cli image alias list images: --format=json']);
  });
});

describe('images.aliases.info', () => {
  it('GETs the alias with its name encoded', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/a%2Fb%20%3F%23%25', ALIAS);
    expect((await client.images.aliases.info('local', 'a/b ?#%')).target).to.equal(F0);
    expect(fake.keys()).to.deep.equal(['GET local:/1.0/images/aliases/a%2Fb%20%3F%23%25']);
  });

  it('rejects NotFoundError for a missing alias', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/x', cliError('Image alias not found'));
    expect(await rejection(client.images.aliases.info('local', 'x'))).to.be.instanceOf(
      NotFoundError,
    );
  });

  it('finds the alias in the listing of a simplestreams remote', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image alias list images: --format=json', fixture('aliases.lxd.json'));
    expect((await client.images.aliases.info('images', 't0')).target).to.equal(F1);
  });

  it('rejects NotFoundError when the simplestreams listing lacks the alias', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image alias list images: --format=json', fixture('aliases.lxd.json'));
    const err = await rejection(client.images.aliases.info('images', 'nosuch'));
    expect(err).to.be.instanceOf(NotFoundError).with.property('remote', 'images');
  });
});

describe('images.aliases.create', () => {
  it('sends a full fingerprint target as it is, POSTs the alias and reads it back', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases', '');
    fake.on('GET local:/1.0/images/aliases/p%2Fq', ALIAS);
    await client.images.aliases.create('local', { name: 'p/q', target: F0, description: 'd' });
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases',
      'GET local:/1.0/images/aliases/p%2Fq',
    ]);
    expect(fake.body('POST local:/1.0/images/aliases')).to.deep.equal({
      name: 'p/q',
      target: F0,
      description: 'd',
    });
  });

  it('resolves a prefix target to its fingerprint first (as an alias, then as a prefix)', async () => {
    const { fake, client } = fakeClient();
    const prefix = F0.slice(0, 12);
    fake.on(`GET local:/1.0/images/aliases/${prefix}`, cliError('Image alias not found'));
    fake.on(`GET local:/1.0/images/${prefix}`, fixture('image.lxd.json'));
    fake.on('POST local:/1.0/images/aliases', '');
    fake.on('GET local:/1.0/images/aliases/p%2Fq', ALIAS);
    await client.images.aliases.create('local', { name: 'p/q', target: prefix, description: 'd' });
    expect(fake.keys().slice(0, 2)).to.deep.equal([
      `GET local:/1.0/images/aliases/${prefix}`,
      `GET local:/1.0/images/${prefix}`,
    ]);
    expect(fake.body('POST local:/1.0/images/aliases')).to.deep.equal({
      name: 'p/q',
      target: F0,
      description: 'd',
    });
  });

  it('sends the type when given', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases', '');
    fake.on('GET local:/1.0/images/aliases/v', ALIAS);
    await client.images.aliases.create('local', { name: 'v', target: F0, type: 'virtual-machine' });
    expect(fake.body('POST local:/1.0/images/aliases')).to.deep.equal({
      name: 'v',
      target: F0,
      type: 'virtual-machine',
    });
  });

  it('passes ConflictError through when the name is taken', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases', cliError('Alias "a" already exists'));
    const err = await rejection(client.images.aliases.create('local', { name: 'a', target: F0 }));
    expect(err).to.be.instanceOf(ConflictError);
  });

  it('refuses a bad name without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.aliases.create('local', { name: '-a', target: F0 }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'alias.name');
    expect(fake.keys()).to.deep.equal([]);
  });

  // bad input must be refused before the target is resolved
  it('refuses a bad type or description before resolving the target', async () => {
    const { fake, client } = fakeClient();
    const badType = { name: 'a', target: 'a50c', type: 'vm' } as unknown as {
      name: string;
      target: string;
    };
    const errors = [
      await rejection(client.images.aliases.create('local', badType)),
      await rejection(
        client.images.aliases.create('local', { name: 'a', target: 'a50c', description: 'x\0' }),
      ),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal([
      'alias.type',
      'alias.description',
    ]);
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.aliases.replace', () => {
  it('PUTs target and description (reset to "" when left out) and reads the alias back', async () => {
    const { fake, client } = fakeClient();
    const key = 'local:/1.0/images/aliases/p%2Fq%20r';
    fake.on(`GET ${key}`, fixture('alias.incus.json')).on(`PUT ${key}`, '');
    await client.images.aliases.replace('local', 'p/q r', { target: SPLIT });
    expect(fake.keys()).to.deep.equal([`GET ${key}`, `PUT ${key}`, `GET ${key}`]);
    expect(fake.body(`PUT ${key}`)).to.deep.equal({ target: SPLIT, description: '' });
  });

  it('refuses a body without target without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(
      client.images.aliases.replace('local', 'a', {} as unknown as { target: string }),
    );
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'body.target');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.aliases.update', () => {
  it('GETs the alias, then PUTs it merged with the patch', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/a', ALIAS).on('PUT local:/1.0/images/aliases/a', '');
    await client.images.aliases.update('local', 'a', { description: 'front end' });
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/images/aliases/a',
      'PUT local:/1.0/images/aliases/a',
      'GET local:/1.0/images/aliases/a',
    ]);
    expect(fake.body('PUT local:/1.0/images/aliases/a')).to.deep.equal({
      target: F0,
      description: 'front end',
    });
  });

  it('keeps the current description when the patch has none', async () => {
    const { fake, client } = fakeClient();
    const described = JSON.stringify({ ...(JSON.parse(ALIAS) as object), description: 'old' });
    fake.on('GET local:/1.0/images/aliases/a', described);
    fake.on('PUT local:/1.0/images/aliases/a', '');
    await client.images.aliases.update('local', 'a', { target: SPLIT });
    expect(fake.body('PUT local:/1.0/images/aliases/a')).to.deep.equal({
      target: SPLIT,
      description: 'old',
    });
  });

  it('resolves a new target before the PUT', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/t0', fixture('alias.incus.json').replace(F0, F1));
    fake.on(`GET local:/1.0/images/${F1}`, fixture('image.lxd.json').replace(F0, F1));
    fake.on('GET local:/1.0/images/aliases/a', ALIAS).on('PUT local:/1.0/images/aliases/a', '');
    await client.images.aliases.update('local', 'a', { target: 't0' });
    expect(fake.body('PUT local:/1.0/images/aliases/a')).to.deep.equal({
      target: F1,
      description: '',
    });
  });

  it('sends the ETag it read with the PUT', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/a', { body: ALIAS, etag: '"e7"' });
    fake.on('PUT local:/1.0/images/aliases/a', '');
    await client.images.aliases.update('local', 'a', { description: 'x' });
    expect(fake.sent('PUT local:/1.0/images/aliases/a')[0]?.api?.etag).to.equal('"e7"');
  });
});

describe('images.aliases.rename', () => {
  it('POSTs the new name to the encoded old one and reads the new one', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images/aliases/x%252Fy', '');
    fake.on('GET local:/1.0/images/aliases/n%2Fm', ALIAS);
    await client.images.aliases.rename('local', 'x%2Fy', 'n/m');
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases/x%252Fy',
      'GET local:/1.0/images/aliases/n%2Fm',
    ]);
    expect(fake.body('POST local:/1.0/images/aliases/x%252Fy')).to.deep.equal({ name: 'n/m' });
  });

  it('refuses a bad new name without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.aliases.rename('local', 'a', ''));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'newName');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.aliases.delete', () => {
  it('sends DELETE to the encoded name and resolves to undefined', async () => {
    const { fake, client } = fakeClient();
    fake.on('DELETE local:/1.0/images/aliases/p%2Fq%20r', '');
    const got = await client.images.aliases.delete('local', 'p/q r', (value) => ({ value }));
    expect(got).to.deep.equal({ value: undefined });
    expect(fake.keys()).to.deep.equal(['DELETE local:/1.0/images/aliases/p%2Fq%20r']);
  });

  it('refuses a bad name without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.aliases.delete('local', '-a'));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'name');
    expect(fake.keys()).to.deep.equal([]);
  });
});
