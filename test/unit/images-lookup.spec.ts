import { expect } from 'chai';
import sinon from 'sinon';
import { NotFoundError, RemoteError, ValidationError } from '../../lib/errors.js';
import { argv, cliError, F0, F1, fixture, ok, rejection, stubClient } from './helpers.js';

describe('images.getByAlias', () => {
  it('reads the encoded alias, then its target image', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(fixture('alias.incus.json')));
    run.onCall(1).resolves(ok(fixture('image.incus.json')));
    const image = await client.images.getByAlias('local', 'alpine/3.19');
    expect(image.fingerprint).to.equal(F0);
    expect(argv(run, 0)).to.deep.equal(['query', 'local:/1.0/images/aliases/alpine%2F3.19']);
    expect(argv(run, 1)).to.deep.equal(['query', `local:/1.0/images/${F0}`]);
  });

  it('does not treat a hex alias as a fingerprint prefix', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('Image alias not found'));
    const err = await rejection(client.images.getByAlias('local', 'a50c'));
    expect(err).to.be.instanceOf(NotFoundError);
    sinon.assert.calledOnce(run);
  });

  it('lists a simplestreams remote and picks by alias only', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError("The remote isn't a private LXD server"));
    run.onCall(1).resolves(ok(fixture('image-list.lxd.json')));
    expect((await client.images.getByAlias('images', 't0')).fingerprint).to.equal(F1);
    expect(argv(run, 1)).to.deep.equal(['image', 'list', 'images:', 't0', '--format=json']);
  });

  it('rejects NotFoundError on a simplestreams remote when only a prefix matches', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError("The remote isn't a private LXD server"));
    run.onCall(1).resolves(ok(fixture('image-list.lxd.json')));
    expect(await rejection(client.images.getByAlias('images', 'a50c'))).to.be.instanceOf(
      NotFoundError,
    );
  });

  it('applies a mutator after the options', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(fixture('alias.lxd.json')));
    run.onCall(1).resolves(ok(fixture('image.lxd.json')));
    expect(await client.images.getByAlias('local', 'a', {}, (i) => i.filename)).to.equal(
      't0.tar.gz',
    );
  });

  it('refuses a flag-like alias without running', async () => {
    const { run, client } = stubClient();
    const err = await rejection(client.images.getByAlias('local', '--help'));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'alias');
    sinon.assert.notCalled(run);
  });
});

describe('images.exists', () => {
  it('resolves true when the image is found', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image.lxd.json')));
    expect(await client.images.exists('local', F0)).to.equal(true);
  });

  it('resolves false on NotFoundError (alias, then prefix)', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError('Image alias not found'));
    run.onCall(1).rejects(cliError('Image "abc" not found'));
    expect(await client.images.exists('local', 'abc')).to.equal(false);
    expect(run.callCount).to.equal(2);
  });

  it('rethrows other errors', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('Missing TLS client certificate and key'));
    expect(await rejection(client.images.exists('dead', F0))).to.be.instanceOf(RemoteError);
  });

  it('rejects a bad ref with ValidationError without running', async () => {
    const { run, client } = stubClient();
    expect(await rejection(client.images.exists('local', '-x'))).to.be.instanceOf(ValidationError);
    sinon.assert.notCalled(run);
  });
});
