import { expect } from 'chai';
import sinon from 'sinon';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { argv, body, cliError, F0, F1, fixture, ok, rejection, stubClient } from './helpers.js';

const ALIAS = fixture('alias.lxd.json');
const NOT_PRIVATE = "The remote isn't a private LXD server";

describe('images.aliases.list', () => {
  it('queries /1.0/images/aliases?recursion=1 with the project', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('aliases.incus.json')));
    const aliases = await client.images.aliases.list('local', { project: 'p' });
    expect(argv(run)).to.deep.equal(['query', 'local:/1.0/images/aliases?recursion=1&project=p']);
    expect(aliases.map((a) => a.name)).to.deep.equal(['a', 't0', 'zz2']);
  });

  it('falls back to image alias list on a simplestreams remote', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError(NOT_PRIVATE));
    run.onCall(1).resolves(ok(JSON.stringify([{ name: 'alpine/3.19', target: F0 }]) + '\n'));
    const aliases = await client.images.aliases.list('images', (list) => list.map((a) => a.name));
    expect(aliases).to.deep.equal(['alpine/3.19']);
    expect(argv(run, 1)).to.deep.equal(['image', 'alias', 'list', 'images:', '--format=json']);
  });
});

describe('images.aliases.info', () => {
  it('GETs the alias with its name encoded', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(ALIAS));
    expect((await client.images.aliases.info('local', 'a/b ?#%')).target).to.equal(F0);
    expect(argv(run)).to.deep.equal(['query', 'local:/1.0/images/aliases/a%2Fb%20%3F%23%25']);
  });

  it('rejects NotFoundError for a missing alias', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('Image alias not found'));
    expect(await rejection(client.images.aliases.info('local', 'x'))).to.be.instanceOf(
      NotFoundError,
    );
  });
});

describe('images.aliases.create', () => {
  it('sends a full fingerprint target as it is, POSTs the alias and reads it back', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(''));
    run.onCall(1).resolves(ok(ALIAS));
    await client.images.aliases.create('local', { name: 'p/q', target: F0, description: 'd' });
    expect(argv(run, 0).slice(0, 2)).to.deep.equal(['query', '--request=POST']);
    expect(argv(run, 0).at(-1)).to.equal('local:/1.0/images/aliases');
    expect(body(run, 0)).to.deep.equal({ name: 'p/q', target: F0, description: 'd' });
    expect(argv(run, 1)).to.deep.equal(['query', 'local:/1.0/images/aliases/p%2Fq']);
    sinon.assert.calledTwice(run);
  });

  it('resolves a prefix target to its fingerprint first (as an alias, then as a prefix)', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(new NotFoundError('Image alias not found'));
    run.onCall(1).resolves(ok(fixture('image.lxd.json')));
    run.onCall(2).resolves(ok(''));
    run.onCall(3).resolves(ok(ALIAS));
    const prefix = F0.slice(0, 12);
    await client.images.aliases.create('local', { name: 'p/q', target: prefix, description: 'd' });
    expect(argv(run, 0)).to.deep.equal(['query', `local:/1.0/images/aliases/${prefix}`]);
    expect(argv(run, 1)).to.deep.equal(['query', `local:/1.0/images/${prefix}`]);
    expect(body(run, 2)).to.deep.equal({ name: 'p/q', target: F0, description: 'd' });
  });

  it('passes ConflictError through when the name is taken', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError('Alias "a" already exists'));
    const err = await rejection(client.images.aliases.create('local', { name: 'a', target: F0 }));
    expect(err).to.be.instanceOf(ConflictError);
  });

  it('refuses a bad name without running', async () => {
    const { run, client } = stubClient();
    const err = await rejection(client.images.aliases.create('local', { name: '-a', target: F0 }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'alias.name');
    sinon.assert.notCalled(run);
  });

  // bad input must be refused before the target is resolved with `lxc query`
  it('refuses a bad type or description without running', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image.lxd.json')));
    const bad = { name: 'a', target: F0, type: 'vm' } as unknown as {
      name: string;
      target: string;
    };
    expect(await rejection(client.images.aliases.create('local', bad))).to.be.instanceOf(
      ValidationError,
    );
    sinon.assert.notCalled(run);
  });
});

describe('images.aliases.replace', () => {
  it('PUTs target and description (reset to "" when left out)', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(''));
    run.onCall(1).resolves(ok(ALIAS));
    await client.images.aliases.replace('local', 'p/q r', {
      target: 'eb8e988623d078afbaead7f22a7ea29a16a4da92017f1d66816bc47efebe911c',
    });
    expect(argv(run, 0).at(-1)).to.equal('local:/1.0/images/aliases/p%2Fq%20r');
    expect(body(run, 0)).to.deep.equal({
      target: 'eb8e988623d078afbaead7f22a7ea29a16a4da92017f1d66816bc47efebe911c',
      description: '',
    });
  });
});

describe('images.aliases.update', () => {
  it('GETs the alias, then PUTs it merged with the patch', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(ALIAS));
    run.onCall(1).resolves(ok(''));
    run.onCall(2).resolves(ok(ALIAS));
    await client.images.aliases.update('local', 'a', { description: 'front end' });
    expect(argv(run, 0)).to.deep.equal(['query', 'local:/1.0/images/aliases/a']);
    expect(argv(run, 1)[1]).to.equal('--request=PUT');
    expect(body(run, 1)).to.deep.equal({ target: F0, description: 'front end' });
  });

  it('resolves a new target before the PUT', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(ALIAS));
    run.onCall(1).resolves(ok(fixture('alias.incus.json').replace(F0, F1)));
    run.onCall(2).resolves(ok(fixture('image.lxd.json').replace(F0, F1)));
    run.onCall(3).resolves(ok(''));
    run.resolves(ok(ALIAS));
    await client.images.aliases.update('local', 'a', { target: 't0' });
    expect(body(run, 3)).to.deep.equal({ target: F1, description: '' });
  });
});

describe('images.aliases.rename / delete', () => {
  it('rename POSTs the new name to the encoded old one and reads the new one', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(''));
    run.onCall(1).resolves(ok(ALIAS));
    await client.images.aliases.rename('local', 'x%2Fy', 'n/m');
    expect(argv(run, 0)).to.deep.equal([
      'query',
      '--request=POST',
      '--data={"name":"n/m"}',
      'local:/1.0/images/aliases/x%252Fy',
    ]);
    expect(argv(run, 1)).to.deep.equal(['query', 'local:/1.0/images/aliases/n%2Fm']);
  });

  it('delete sends DELETE to the encoded name and resolves to undefined', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(''));
    const got = await client.images.aliases.delete('local', 'p/q r', (value) => ({ value }));
    expect(got).to.deep.equal({ value: undefined });
    expect(argv(run)).to.deep.equal([
      'query',
      '--request=DELETE',
      'local:/1.0/images/aliases/p%2Fq%20r',
    ]);
  });

  it('refuse a bad name without running', async () => {
    const { run, client } = stubClient();
    expect(await rejection(client.images.aliases.rename('local', 'a', ''))).to.be.instanceOf(
      ValidationError,
    );
    expect(await rejection(client.images.aliases.delete('local', '-a'))).to.be.instanceOf(
      ValidationError,
    );
    sinon.assert.notCalled(run);
  });
});
