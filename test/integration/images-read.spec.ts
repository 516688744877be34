import { expect } from 'chai';
import { createClient, LxcError, NotFoundError, type Image } from '../../lib/index.js';
import type { Sandbox } from '../../lib/testing/index.js';
import { BINARIES, getSandbox, getWorld, newImage } from '../support/env.js';
import type { TestImage } from '../support/make-image.js';
import { rejectionOf } from '../support/procs.js';

for (const binary of BINARIES) {
  describe(`images reads against ${binary}`, function () {
    let sandbox: Sandbox;
    let image: TestImage;
    const alias = `read/${binary} one?#%`;

    before(async function () {
      sandbox = await getSandbox(binary);
      image = await newImage({ os: 'reados', release: '7' });
      await sandbox.run(['image', 'import', image.path, `--alias=${alias}`, 'extra=yes']);
    });

    it('list returns typed images', async function () {
      const images = await sandbox.client.images.list('local');
      const found = images.find((i) => i.fingerprint === image.fingerprint);
      expect(found?.properties.os).to.equal('reados');
      expect(found?.uploaded_at).to.be.instanceOf(Date);
      expect(found?.expires_at).to.equal(null);
      expect(found?.profiles).to.be.an('array');
      expect(found?.aliases.map((a) => a.name)).to.deep.equal([alias]);
    });

    it('list filters by property, top-level field, fingerprint prefix and alias part', async function () {
      const fps = (images: Image[]): string[] => images.map((i) => i.fingerprint);
      expect(fps(await sandbox.client.images.list('local', { filter: 'os=reados' }))).to.deep.equal(
        [image.fingerprint],
      );
      expect(
        fps(
          await sandbox.client.images.list('local', {
            filter: ['os=reados', 'architecture=x86_64'],
          }),
        ),
      ).to.deep.equal([image.fingerprint]);
      expect(
        fps(await sandbox.client.images.list('local', { filter: image.fingerprint.slice(0, 12) })),
      ).to.deep.equal([image.fingerprint]);
      expect(
        fps(await sandbox.client.images.list('local', { filter: `read/${binary}` })),
      ).to.deep.equal([image.fingerprint]);
      expect(await sandbox.client.images.list('local', { filter: 'os=nosuchos' })).to.deep.equal(
        [],
      );
    });

    it('list passes a shell-looking filter as data', async function () {
      expect(
        await sandbox.client.images.list('local', { filter: 'os=$(touch /tmp/pwned);`id`' }),
      ).to.deep.equal([]);
    });

    it('fingerprints lists every fingerprint', async function () {
      expect(await sandbox.client.images.fingerprints('local')).to.include(image.fingerprint);
    });

    it('info accepts a full fingerprint, a unique prefix and an alias', async function () {
      const byFp = await sandbox.client.images.info('local', image.fingerprint);
      expect(byFp.fingerprint).to.equal(image.fingerprint);
      expect(byFp.size).to.equal(image.size);
      expect(
        await sandbox.client.images.info(
          'local',
          image.fingerprint.slice(0, 10),
          (i) => i.fingerprint,
        ),
      ).to.equal(image.fingerprint);
      expect(await sandbox.client.images.info('local', alias, {}, (i) => i.fingerprint)).to.equal(
        image.fingerprint,
      );
    });

    it('info rejects an ambiguous prefix with a clear error', async function () {
      const all = await sandbox.client.images.fingerprints('local');
      for (let i = 0; i < 40; i++) {
        const counts = new Map<string, number>();
        for (const fp of all) counts.set(fp[0]!, (counts.get(fp[0]!) ?? 0) + 1);
        const shared = [...counts.entries()].find(([, n]) => n > 1)?.[0];
        if (shared) {
          const ambiguous = await rejectionOf(sandbox.client.images.info('local', shared));
          expect(ambiguous).to.be.instanceOf(LxcError);
          expect((ambiguous as LxcError).message).to.match(/more than one/i);
          return;
        }
        const extra = await newImage();
        await sandbox.run(['image', 'import', extra.path]);
        all.push(extra.fingerprint);
      }
      expect.fail('no two fingerprints shared a first character');
    });

    it('getByAlias reads the image behind an alias', async function () {
      expect(await sandbox.client.images.getByAlias('local', alias, (i) => i.fingerprint)).to.equal(
        image.fingerprint,
      );
      expect(
        await rejectionOf(sandbox.client.images.getByAlias('local', 'no/such alias')),
      ).to.be.instanceOf(NotFoundError);
    });

    it('exists says true or false and never throws for not found', async function () {
      expect(await sandbox.client.images.exists('local', image.fingerprint)).to.equal(true);
      expect(await sandbox.client.images.exists('local', alias)).to.equal(true);
      expect(await sandbox.client.images.exists('local', 'f'.repeat(64))).to.equal(false);
      expect(await sandbox.client.images.exists('local', 'no-such-alias')).to.equal(false);
    });

    it('list honours project and allProjects', async function () {
      const project = `p${binary}`;
      await sandbox.run(['project', 'create', project, '--config=features.images=true']);
      const other = await newImage({ os: 'projos' });
      await sandbox.run(['image', 'import', other.path, `--project=${project}`]);
      const inProject = await sandbox.client.images.list('local', { project }, (l) =>
        l.map((i) => i.fingerprint),
      );
      expect(inProject).to.deep.equal([other.fingerprint]);
      expect(
        await sandbox.client.images.info(
          'local',
          other.fingerprint,
          { project },
          (i) => i.properties.os,
        ),
      ).to.equal('projos');
      expect(await sandbox.client.images.exists('local', other.fingerprint)).to.equal(false);
      const all = await sandbox.client.images.list('local', { allProjects: true });
      expect(all.find((i) => i.fingerprint === other.fingerprint)?.project).to.equal(project);
      expect(all.find((i) => i.fingerprint === image.fingerprint)?.project).to.equal('default');
      expect(
        await rejectionOf(sandbox.client.images.list('local', { project: 'nosuchproject' })),
      ).to.be.instanceOf(NotFoundError);
    });

    describe('on a simplestreams remote', function () {
      let published: TestImage;
      before(async function () {
        published = (await getWorld()).catalog.ssos;
      });

      it('list, fingerprints, info, getByAlias and exists work', async function () {
        const images = await sandbox.client.images.list('ss', { filter: 'os=ssos' });
        expect(images.map((i) => i.fingerprint)).to.deep.equal([published.fingerprint]);
        expect(await sandbox.client.images.fingerprints('ss')).to.include(published.fingerprint);
        expect(await sandbox.client.images.info('ss', 'ssos/1.0', (i) => i.fingerprint)).to.equal(
          published.fingerprint,
        );
        expect(
          await sandbox.client.images.info(
            'ss',
            published.fingerprint.slice(0, 12),
            (i) => i.fingerprint,
          ),
        ).to.equal(published.fingerprint);
        expect(await sandbox.client.images.getByAlias('ss', 'ssos', (i) => i.fingerprint)).to.equal(
          published.fingerprint,
        );
        expect(await sandbox.client.images.exists('ss', 'ssos')).to.equal(true);
        expect(await sandbox.client.images.exists('ss', 'nosuch')).to.equal(false);
      });

      it('aliases.list and aliases.info work', async function () {
        const aliases = await sandbox.client.images.aliases.list('ss');
        expect(aliases.find((a) => a.name === 'ssos/1.0')?.target).to.equal(published.fingerprint);
        expect(await sandbox.client.images.aliases.info('ss', 'ssos', (a) => a.target)).to.equal(
          published.fingerprint,
        );
        expect(
          await rejectionOf(sandbox.client.images.aliases.info('ss', 'nosuch')),
        ).to.be.instanceOf(NotFoundError);
      });
    });
  });
}

for (const binary of BINARIES) {
  describe(`coalesced reads against ${binary}`, function () {
    it('Promise.all of info calls and infoMany each cost one process', async function () {
      const sandbox = await getSandbox(binary);
      const images = [await newImage(), await newImage(), await newImage()];
      for (const image of images)
        await sandbox.client.images.import('local', image.path, {
          aliases: [`many-${image.fingerprint.slice(0, 6)}`],
        });
      const calls: (readonly string[])[] = [];
      const client = createClient({
        binary,
        env: sandbox.env,
        runner: (args, options) => (calls.push(args), sandbox.run(args, options)),
      });
      const refs = [
        images[0]!.fingerprint,
        `many-${images[1]!.fingerprint.slice(0, 6)}`,
        images[2]!.fingerprint.slice(0, 12),
      ];
      const together = await Promise.all(
        refs.map((ref) => client.images.info('local', ref, (i) => i.fingerprint)),
      );
      expect(together).to.deep.equal(images.map((i) => i.fingerprint));
      expect(calls).to.have.length(1);
      const missing = await Promise.allSettled([
        client.images.info('local', refs[0]!),
        client.images.info('local', 'no-such-alias'),
      ]);
      expect(missing[0].status).to.equal('fulfilled');
      expect(
        missing[1].status === 'rejected' && missing[1].reason instanceof NotFoundError,
      ).to.equal(true);
      expect(calls).to.have.length(2);
      const many = await client.images.infoMany('local', refs, (list) =>
        list.map((i) => i.fingerprint),
      );
      expect(many).to.deep.equal(images.map((i) => i.fingerprint));
      expect(calls).to.have.length(3);
      expect(
        await rejectionOf(client.images.infoMany('local', [refs[0]!, 'nope'])),
      ).to.be.instanceOf(NotFoundError);
    });
  });
}
