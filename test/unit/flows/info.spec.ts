import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, F1, F_ARM, fixture, rejection, SS_ALIASES, SS_LIST } from '../helpers.js';
import { SINGLE_READS_LIMIT } from '../../../lib/flows/info.js';
import {
  LxcError,
  NotFoundError,
  ParseError,
  RemoteError,
  ValidationError,
} from '../../../lib/wire/errors.js';

const IMAGE = fixture('image.lxd.json');
const LIST = fixture('image-list.lxd.json');
const REFUSED =
  'Get "https://127.0.0.1:8443/1.0": Unable to connect to: 127.0.0.1:8443 ([dial tcp 127.0.0.1:8443: connect: connection refused])';

describe('images.info', () => {
  it('reads a full fingerprint with one request', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    const image = await client.images.info('local', F0);
    expect(fake.keys()).to.deep.equal([`GET local:/1.0/images/${F0}`]);
    expect(image.created_at).to.be.instanceOf(Date);
  });

  it('resolves an alias (encoded) and then reads its target', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/p%2Fq%20r', fixture('alias.lxd.json'));
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    expect((await client.images.info('local', 'p/q r')).fingerprint).to.equal(F0);
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/images/aliases/p%2Fq%20r',
      `GET local:/1.0/images/${F0}`,
    ]);
  });

  it('tries a hex prefix as an alias first, then as a fingerprint (lower-cased)', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/A50C5E', cliError('Image alias not found'));
    fake.on('GET local:/1.0/images/a50c5e', IMAGE);
    expect((await client.images.info('local', 'A50C5E')).fingerprint).to.equal(F0);
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/images/aliases/A50C5E',
      'GET local:/1.0/images/a50c5e',
    ]);
  });

  it('rejects NotFoundError for a missing non-hex alias without a fingerprint request', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/nosuch', cliError('Image alias not found'));
    expect(await rejection(client.images.info('local', 'nosuch'))).to.be.instanceOf(NotFoundError);
    expect(fake.keys()).to.have.length(1);
  });

  it('rethrows a remote failure of the alias lookup without falling back', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET r:/1.0/images/aliases/a50c', cliError(REFUSED));
    expect(await rejection(client.images.info('r', 'a50c'))).to.be.instanceOf(RemoteError);
    expect(fake.keys()).to.have.length(1);
  });

  it('rejects RemoteError for a remote the client does not know, without a request', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.info('dead', 'a50c'));
    expect(err).to.be.instanceOf(RemoteError).with.property('remote', 'dead');
    expect(fake.keys()).to.deep.equal([]);
  });

  describe('on a simplestreams remote', () => {
    for (const [ref, expected] of [
      ['t0', F1],
      ['a50c', F0],
      [F0, F0],
    ] as const) {
      it(`lists with "${ref.slice(0, 12)}" as filter and picks the image`, async () => {
        const { fake, client } = fakeClient();
        fake.on(`cli image list images: ${ref} --format=json`, LIST);
        expect((await client.images.info('images', ref)).fingerprint).to.equal(expected);
        expect(fake.keys()).to.deep.equal([`cli image list images: ${ref} --format=json`]);
      });
    }

    it("resolves an arm64 product's short alias through the alias list, read only then", async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: arm/1 --format=json', SS_LIST);
      fake.on('cli image alias list images: --format=json', SS_ALIASES);
      expect((await client.images.info('images', 'arm/1')).fingerprint).to.equal(F_ARM);
      expect(fake.keys()).to.deep.equal([
        'cli image list images: arm/1 --format=json',
        'cli image alias list images: --format=json',
      ]);
    });

    it('lists the target when the narrowed listing does not hold it', async () => {
      const { fake, client } = fakeClient();
      // another image shows `arm/1/…` (its own alias `arm/1/x`); the target shows nothing
      const other = { ...(JSON.parse(IMAGE) as object), aliases: [{ name: 'arm/1/x' }] };
      fake.on('cli image list images: arm/1 --format=json', JSON.stringify([other]));
      fake.on('cli image alias list images: --format=json', SS_ALIASES);
      fake.on(`cli image list images: ${F_ARM} --format=json`, SS_LIST);
      expect((await client.images.info('images', 'arm/1')).fingerprint).to.equal(F_ARM);
      expect(fake.keys()).to.deep.equal([
        'cli image list images: arm/1 --format=json',
        'cli image alias list images: --format=json',
        `cli image list images: ${F_ARM} --format=json`,
      ]);
    });

    it('rejects a plain LxcError for an ambiguous prefix', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: 1 --format=json', LIST);
      const err = await rejection(client.images.info('images', '1'));
      expect(err).to.be.instanceOf(LxcError).and.not.be.instanceOf(NotFoundError);
      expect((err as Error).message).to.match(/More than one image matches/);
    });

    it('rejects NotFoundError when nothing matches', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: nosuch --format=json', '[]\n');
      expect(await rejection(client.images.info('images', 'nosuch'))).to.be.instanceOf(
        NotFoundError,
      );
    });

    it('lists without a filter for a ref that looks like key=value', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: --format=json', LIST);
      expect(await rejection(client.images.info('images', 'os=testos'))).to.be.instanceOf(
        NotFoundError,
      );
      expect(fake.keys()).to.deep.equal(['cli image list images: --format=json']);
    });

    it('lets calls made together share one listing', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: --format=json', LIST);
      const images = await Promise.all([
        client.images.info('images', 't0'),
        client.images.info('images', F0),
        client.images.exists('images', 'split'),
      ]);
      expect(images[0].fingerprint).to.equal(F1);
      expect(images[1].fingerprint).to.equal(F0);
      expect(images[2]).to.equal(true);
      expect(fake.keys()).to.deep.equal(['cli image list images: --format=json']);
    });

    it('reads the alias list once for calls made together that need it', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: --format=json', SS_LIST);
      fake.on('cli image alias list images: --format=json', SS_ALIASES);
      const images = await Promise.all([
        client.images.info('images', 't0'),
        client.images.info('images', 'arm/1'),
        client.images.exists('images', 'arm/1'),
      ]);
      expect(images[0].fingerprint).to.equal(F1);
      expect(images[1].fingerprint).to.equal(F_ARM);
      expect(images[2]).to.equal(true);
      expect(fake.keys()).to.deep.equal([
        'cli image list images: --format=json',
        'cli image alias list images: --format=json',
      ]);
    });

    it('rejects each call of a shared listing that picks nothing with NotFoundError', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: --format=json', LIST);
      const [found, missing] = await Promise.all([
        client.images.info('images', 't0'),
        rejection(client.images.info('images', 'nosuch')),
      ]);
      expect(found.fingerprint).to.equal(F1);
      expect(missing).to.be.instanceOf(NotFoundError);
    });

    it('reads each image on an LXD remote for a few calls, and lists once for many', async () => {
      const { fake, client } = fakeClient();
      fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
      fake.on(`GET local:/1.0/images/${F1}`, IMAGE);
      await Promise.all([client.images.info('local', F0), client.images.info('local', F1)]);
      expect(fake.keys()).to.have.members([
        `GET local:/1.0/images/${F0}`,
        `GET local:/1.0/images/${F1}`,
      ]);
      fake.seen.length = 0;
      fake.on('cli image list local: --format=json', LIST);
      const many = await Promise.all(
        Array.from({ length: 65 }, (_, i) => client.images.info('local', i % 2 ? F0 : F1)),
      );
      expect(many).to.have.length(65);
      expect(fake.keys()).to.deep.equal(['cli image list local: --format=json']);
    });

    it('does not share work between calls with a timeout of their own', async () => {
      const { fake, client } = fakeClient();
      fake.on('cli image list images: t0 --format=json', LIST);
      fake.on(`cli image list images: ${F0} --format=json`, LIST);
      await Promise.all([
        client.images.info('images', 't0', { timeout: 10_000 }),
        client.images.info('images', F0, { timeout: 10_000 }),
      ]);
      expect(fake.keys()).to.have.members([
        'cli image list images: t0 --format=json',
        `cli image list images: ${F0} --format=json`,
      ]);
    });
  });

  it('resolves to the mutator result, in the options slot or after options', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    expect(await client.images.info('local', F0, (image) => image.size)).to.equal(287);
    expect(
      await client.images.info('local', F0, {}, async (i) => Promise.resolve(i.type)),
    ).to.equal('container');
  });

  it('rejects with the error a mutator throws', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    const boom = new Error('boom');
    const err = await rejection(
      client.images.info('local', F0, () => {
        throw boom;
      }),
    );
    expect(err).to.equal(boom);
  });

  it('rejects with ParseError keeping raw for a schema mismatch', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, '{"fingerprint":"zz"}\n\n');
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
    it(`refuses a bad ${field} (${JSON.stringify({ remote, ref: ref.slice(0, 4), ...options })}) without sending`, async () => {
      const { fake, client } = fakeClient();
      const err = await rejection(client.images.info(remote, ref, options));
      expect(err).to.be.instanceOf(ValidationError).with.property('field', field);
      expect(fake.keys()).to.deep.equal([]);
    });
  }
});

describe('images.infoMany', () => {
  it('reads each ref of an LXD remote with its own request, in the order given', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on(`GET local:/1.0/images/${F1}`, IMAGE.replaceAll(F0, F1));
    const images = await client.images.infoMany('local', [F1, F0]);
    expect(images.map((i) => i.fingerprint)).to.deep.equal([F1, F0]);
    expect(fake.keys()).to.have.members([
      `GET local:/1.0/images/${F0}`,
      `GET local:/1.0/images/${F1}`,
    ]);
  });

  it('picks every ref out of one listing on a simplestreams remote', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: --format=json', LIST);
    const images = await client.images.infoMany('images', ['t0', 'a50c', 'split']);
    expect(images.map((i) => i.fingerprint.slice(0, 6))).to.deep.equal([
      '576659',
      'a50c5e',
      'eb8e98',
    ]);
    expect(fake.keys()).to.deep.equal(['cli image list images: --format=json']);
  });

  it('lists once instead of reading more refs than a listing costs', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list local: --format=json', LIST);
    const refs = Array.from({ length: SINGLE_READS_LIMIT.cli + 1 }, () => F0);
    const images = await client.images.infoMany('local', refs);
    expect(images).to.have.length(refs.length);
    expect(fake.keys()).to.deep.equal(['cli image list local: --format=json']);
  });

  it('resolves to [] for no refs without sending anything', async () => {
    const { fake, client } = fakeClient();
    expect(await client.images.infoMany('images', [])).to.deep.equal([]);
    expect(fake.keys()).to.deep.equal([]);
  });

  it('rejects NotFoundError when a ref matches nothing', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: --format=json', LIST);
    const err = await rejection(client.images.infoMany('images', ['t0', 'nosuch']));
    expect(err).to.be.instanceOf(NotFoundError);
  });

  it('refuses a non-array or a bad ref, naming it, without sending anything', async () => {
    const { fake, client } = fakeClient();
    const notArray = await rejection(client.images.infoMany('local', 'a' as unknown as string[]));
    const badRef = await rejection(client.images.infoMany('local', ['a', '-b']));
    expect(notArray).to.be.instanceOf(ValidationError).with.property('field', 'refs');
    expect(badRef).to.be.instanceOf(ValidationError).with.property('field', 'refs[1]');
    expect(fake.keys()).to.deep.equal([]);
  });
});
