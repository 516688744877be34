import { expect } from 'chai';
import sinon from 'sinon';
import {
  LxcError,
  NotFoundError,
  ParseError,
  RemoteError,
  ValidationError,
} from '../../lib/errors.js';
import { argv, cliError, F0, F1, fixture, ok, rejection, stubClient } from './helpers.js';

const NOT_PRIVATE = "The remote isn't a private LXD server";

describe('images.list', () => {
  it('runs image list remote: --format=json and parses it', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image-list.lxd.json')));
    const images = await client.images.list('local');
    sinon.assert.calledOnceWithMatch(run, ['image', 'list', 'local:', '--format=json']);
    expect(images.map((i) => i.fingerprint)).to.include(F0);
  });

  it('passes filters as argv elements and the project as --project', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image-list-project.lxd.json')));
    await client.images.list('r', { filter: ['os=testos', 'a50c'], project: 'p' });
    expect(argv(run)).to.deep.equal([
      'image',
      'list',
      'r:',
      'os=testos',
      'a50c',
      '--format=json',
      '--project=p',
    ]);
  });

  it('uses --all-projects when the server has it (Incus)', async () => {
    const { run, client } = stubClient({ project: 'p' });
    run.resolves(ok(fixture('image-list-all-projects.incus.json')));
    const images = await client.images.list('local', { allProjects: true });
    expect(argv(run)).to.deep.equal(['image', 'list', 'local:', '--format=json', '--all-projects']);
    expect(new Set(images.map((i) => i.project))).to.deep.equal(new Set(['default', 'p']));
  });

  it('lists each image-owning project when --all-projects is unknown (LXD 5.0)', async () => {
    const { run, client } = stubClient();
    const projects = [
      { name: 'default', config: {} },
      { name: 'p', config: { 'features.images': 'true' } },
      { name: 'q', config: { 'features.images': 'false' } },
    ];
    run.onCall(0).rejects(cliError('unknown flag: --all-projects'));
    run.onCall(1).resolves(ok(JSON.stringify(projects)));
    run.onCall(2).resolves(ok(fixture('image-list.lxd.json')));
    run.onCall(3).resolves(ok(fixture('image-list-project.lxd.json')));
    const images = await client.images.list('local', { allProjects: true });
    expect(argv(run, 1)).to.deep.equal(['query', 'local:/1.0/projects?recursion=1']);
    expect(argv(run, 2).at(-1)).to.equal('--project=default');
    expect(argv(run, 3).at(-1)).to.equal('--project=p');
    expect(run.callCount).to.equal(4);
    expect(images.filter((i) => i.project === 'p')).to.have.length(2);
    expect(images.filter((i) => i.project === 'default')).to.have.length(5);
  });

  it('rejects with ParseError keeping raw stdout on garbage', async () => {
    const { run, client } = stubClient();
    run.resolves(ok('+----+\n| garbage |\n'));
    const err = await rejection(client.images.list('local'));
    expect(err).to.be.instanceOf(ParseError);
    expect((err as ParseError).raw).to.equal('+----+\n| garbage |\n');
  });

  it('refuses a flag-like filter without running anything', async () => {
    const { run, client } = stubClient();
    const err = await rejection(client.images.list('local', { filter: '--all-projects' }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'filter[0]');
    sinon.assert.notCalled(run);
  });
});

describe('images.fingerprints', () => {
  it('reads /1.0/images and keeps the last URL segment', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(JSON.stringify([`/1.0/images/${F0}`, `/1.0/images/${F1}?project=p`])));
    expect(await client.images.fingerprints('local')).to.deep.equal([F0, F1]);
    expect(argv(run)).to.deep.equal(['query', 'local:/1.0/images']);
  });

  it('falls back to image list on a simplestreams remote', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError(NOT_PRIVATE));
    run.onCall(1).resolves(ok(fixture('image-list.incus.json')));
    expect(await client.images.fingerprints('images'))
      .to.have.length(5)
      .and.include(F1);
    expect(argv(run, 1)).to.deep.equal(['image', 'list', 'images:', '--format=json']);
  });
});

describe('images.info', () => {
  it('reads a full fingerprint with one query', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image.incus.json')));
    const image = await client.images.info('local', F0);
    sinon.assert.calledOnce(run);
    expect(argv(run)).to.deep.equal(['query', `local:/1.0/images/${F0}`]);
    expect(image.created_at).to.be.instanceOf(Date);
  });

  it('resolves an alias (encoded) and then reads its target', async () => {
    const { run, client } = stubClient();
    run.onCall(0).resolves(ok(fixture('alias.lxd.json')));
    run.onCall(1).resolves(ok(fixture('image.lxd.json')));
    expect((await client.images.info('local', 'p/q r')).fingerprint).to.equal(F0);
    expect(argv(run, 0)).to.deep.equal(['query', 'local:/1.0/images/aliases/p%2Fq%20r']);
    expect(argv(run, 1)).to.deep.equal(['query', `local:/1.0/images/${F0}`]);
  });

  it('tries a hex prefix as an alias first, then as a fingerprint (lower-cased)', async () => {
    const { run, client } = stubClient();
    run.onCall(0).rejects(cliError('Image alias not found'));
    run.onCall(1).resolves(ok(fixture('image.lxd.json')));
    expect((await client.images.info('local', 'A50C5E')).fingerprint).to.equal(F0);
    expect(argv(run, 0)).to.deep.equal(['query', 'local:/1.0/images/aliases/A50C5E']);
    expect(argv(run, 1)).to.deep.equal(['query', 'local:/1.0/images/a50c5e']);
  });

  it('rejects NotFoundError for a missing non-hex alias without a fingerprint query', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('Image alias not found'));
    expect(await rejection(client.images.info('local', 'nosuch'))).to.be.instanceOf(NotFoundError);
    sinon.assert.calledOnce(run);
  });

  it('rethrows a remote failure of the alias lookup without falling back', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('The remote "dead" doesn\'t exist'));
    expect(await rejection(client.images.info('dead', 'a50c'))).to.be.instanceOf(RemoteError);
    sinon.assert.calledOnce(run);
  });

  describe('on a simplestreams remote', () => {
    for (const [ref, expected] of [
      ['t0', F1],
      ['a50c', F0],
      [F0, F0],
    ] as const) {
      it(`lists with "${ref.slice(0, 12)}" as filter and picks the image`, async () => {
        const { run, client } = stubClient();
        run.onCall(0).rejects(cliError("The remote isn't a private server"));
        run.onCall(1).resolves(ok(fixture('image-list.lxd.json')));
        expect((await client.images.info('images', ref)).fingerprint).to.equal(expected);
        expect(argv(run, 1)).to.deep.equal(['image', 'list', 'images:', ref, '--format=json']);
      });
    }

    it('rejects a plain LxcError for an ambiguous prefix', async () => {
      const { run, client } = stubClient();
      run.onCall(0).rejects(cliError(NOT_PRIVATE));
      run.onCall(1).resolves(ok(fixture('image-list.lxd.json')));
      const err = await rejection(client.images.info('images', '1'));
      expect(err).to.be.instanceOf(LxcError).and.not.be.instanceOf(NotFoundError);
      expect((err as Error).message).to.match(/More than one image matches/);
    });

    it('rejects NotFoundError when nothing matches', async () => {
      const { run, client } = stubClient();
      run.onCall(0).rejects(cliError(NOT_PRIVATE));
      run.onCall(1).resolves(ok('[]\n'));
      expect(await rejection(client.images.info('images', 'nosuch'))).to.be.instanceOf(
        NotFoundError,
      );
    });
  });

  it('resolves to the mutator result, in the options slot or after options', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image.lxd.json')));
    expect(await client.images.info('local', F0, (image) => image.size)).to.equal(287);
    expect(
      await client.images.info('local', F0, {}, async (i) => Promise.resolve(i.type)),
    ).to.equal('container');
  });

  it('rejects with the error a mutator throws', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image.lxd.json')));
    const boom = new Error('boom');
    const err = await rejection(
      client.images.info('local', F0, () => {
        throw boom;
      }),
    );
    expect(err).to.equal(boom);
  });

  it('rejects with ParseError keeping raw for a schema mismatch', async () => {
    const { run, client } = stubClient();
    run.resolves(ok('{"fingerprint":"zz"}\n\n'));
    const err = await rejection(client.images.info('local', F0));
    expect(err).to.be.instanceOf(ParseError).with.property('raw', '{"fingerprint":"zz"}\n\n');
  });

  for (const [remote, ref, options, field] of [
    ['bad remote', F0, {}, 'remote'],
    ['local', '-a', {}, 'ref'],
    ['local', '', {}, 'ref'],
    ['local', F0, { project: 'a/b' }, 'project'],
    ['local', F0, { timeout: -1 }, 'timeout'],
  ] as const) {
    it(`refuses a bad ${field} (${JSON.stringify({ remote, ref: ref.slice(0, 4), ...options })}) without running`, async () => {
      const { run, client } = stubClient();
      const err = await rejection(client.images.info(remote, ref, options));
      expect(err).to.be.instanceOf(ValidationError).with.property('field', field);
      sinon.assert.notCalled(run);
    });
  }
});
