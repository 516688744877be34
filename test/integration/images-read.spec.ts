import { expect } from 'chai';
import { LxcError, NotFoundError, type Image } from '../../lib/index.js';
import type { Sandbox } from '../../lib/testing/index.js';
import { getWorld, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import type { TestImage } from '../support/make-image.js';
import { rejectionOf } from '../support/procs.js';

eachDaemon('images reads', function (d) {
  let sandbox: Sandbox;
  let image: TestImage;
  const tag = `${d.binary}-${d.transport}`;
  const alias = `read/${tag} one?#%`;

  before(async function () {
    sandbox = d.sandbox;
    image = await newImage({ os: `reados-${tag}`, release: '7' });
    await sandbox.run(['image', 'import', image.path, `--alias=${alias}`, 'extra=yes']);
  });

  it('list returns typed images', async function () {
    const images = await d.client.images.list('local');
    const found = images.find((i) => i.fingerprint === image.fingerprint);
    expect(found?.properties.os).to.equal(`reados-${tag}`);
    expect(found?.uploaded_at).to.be.instanceOf(Date);
    expect(found?.expires_at).to.equal(null);
    expect(found?.profiles).to.be.an('array');
    expect(found?.aliases.map((a) => a.name)).to.deep.equal([alias]);
  });

  it('list filters by property, top-level field, fingerprint prefix and alias part', async function () {
    const fps = (images: Image[]): string[] => images.map((i) => i.fingerprint);
    expect(fps(await d.client.images.list('local', { filter: `os=reados-${tag}` }))).to.deep.equal([
      image.fingerprint,
    ]);
    expect(
      fps(
        await d.client.images.list('local', {
          filter: [`os=reados-${tag}`, 'architecture=x86_64'],
        }),
      ),
    ).to.deep.equal([image.fingerprint]);
    expect(
      fps(await d.client.images.list('local', { filter: image.fingerprint.slice(0, 12) })),
    ).to.deep.equal([image.fingerprint]);
    expect(fps(await d.client.images.list('local', { filter: `read/${tag}` }))).to.deep.equal([
      image.fingerprint,
    ]);
    expect(await d.client.images.list('local', { filter: 'os=nosuchos' })).to.deep.equal([]);
  });

  it('list passes a shell-looking filter as data', async function () {
    expect(
      await d.client.images.list('local', { filter: 'os=$(touch /tmp/pwned);`id`' }),
    ).to.deep.equal([]);
  });

  it('fingerprints lists every fingerprint', async function () {
    expect(await d.client.images.fingerprints('local')).to.include(image.fingerprint);
  });

  it('info accepts a full fingerprint, a unique prefix and an alias', async function () {
    const byFp = await d.client.images.info('local', image.fingerprint);
    expect(byFp.fingerprint).to.equal(image.fingerprint);
    expect(byFp.size).to.equal(image.size);
    expect(
      await d.client.images.info('local', image.fingerprint.slice(0, 10), (i) => i.fingerprint),
    ).to.equal(image.fingerprint);
    expect(await d.client.images.info('local', alias, {}, (i) => i.fingerprint)).to.equal(
      image.fingerprint,
    );
  });

  it('info rejects an ambiguous prefix with a clear error', async function () {
    const all = await d.client.images.fingerprints('local');
    for (let i = 0; i < 40; i++) {
      const counts = new Map<string, number>();
      for (const fp of all) counts.set(fp[0]!, (counts.get(fp[0]!) ?? 0) + 1);
      const shared = [...counts.entries()].find(([, n]) => n > 1)?.[0];
      if (shared) {
        const ambiguous = await rejectionOf(d.client.images.info('local', shared));
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
    expect(await d.client.images.getByAlias('local', alias, (i) => i.fingerprint)).to.equal(
      image.fingerprint,
    );
    expect(
      await rejectionOf(d.client.images.getByAlias('local', 'no/such alias')),
    ).to.be.instanceOf(NotFoundError);
  });

  it('exists says true or false and never throws for not found', async function () {
    expect(await d.client.images.exists('local', image.fingerprint)).to.equal(true);
    expect(await d.client.images.exists('local', alias)).to.equal(true);
    expect(await d.client.images.exists('local', 'f'.repeat(64))).to.equal(false);
    expect(await d.client.images.exists('local', 'no-such-alias')).to.equal(false);
  });

  it('list honours project and allProjects', async function () {
    const project = `p-${tag}`;
    await sandbox.run(['project', 'create', project, '--config=features.images=true']);
    const other = await newImage({ os: 'projos' });
    await sandbox.run(['image', 'import', other.path, `--project=${project}`]);
    const inProject = await d.client.images.list('local', { project }, (l) =>
      l.map((i) => i.fingerprint),
    );
    expect(inProject).to.deep.equal([other.fingerprint]);
    expect(
      await d.client.images.info('local', other.fingerprint, { project }, (i) => i.properties.os),
    ).to.equal('projos');
    expect(await d.client.images.exists('local', other.fingerprint)).to.equal(false);
    const all = await d.client.images.list('local', { allProjects: true });
    expect(all.find((i) => i.fingerprint === other.fingerprint)?.project).to.equal(project);
    expect(all.find((i) => i.fingerprint === image.fingerprint)?.project).to.equal('default');
    expect(
      await rejectionOf(d.client.images.list('local', { project: 'nosuchproject' })),
    ).to.be.instanceOf(NotFoundError);
  });

  describe('on a simplestreams remote', function () {
    let published: TestImage;
    before(async function () {
      published = (await getWorld()).catalog.ssos;
    });

    it('list, fingerprints, info, getByAlias and exists work', async function () {
      const images = await d.client.images.list('ss', { filter: 'os=ssos' });
      expect(images.map((i) => i.fingerprint)).to.deep.equal([published.fingerprint]);
      expect(await d.client.images.fingerprints('ss')).to.include(published.fingerprint);
      expect(await d.client.images.info('ss', 'ssos/1.0', (i) => i.fingerprint)).to.equal(
        published.fingerprint,
      );
      expect(
        await d.client.images.info('ss', published.fingerprint.slice(0, 12), (i) => i.fingerprint),
      ).to.equal(published.fingerprint);
      expect(await d.client.images.getByAlias('ss', 'ssos', (i) => i.fingerprint)).to.equal(
        published.fingerprint,
      );
      expect(await d.client.images.exists('ss', 'ssos')).to.equal(true);
      expect(await d.client.images.exists('ss', 'nosuch')).to.equal(false);
    });

    it('aliases.list and aliases.info work', async function () {
      const aliases = await d.client.images.aliases.list('ss');
      expect(aliases.find((a) => a.name === 'ssos/1.0')?.target).to.equal(published.fingerprint);
      expect(await d.client.images.aliases.info('ss', 'ssos', (a) => a.target)).to.equal(
        published.fingerprint,
      );
      expect(await rejectionOf(d.client.images.aliases.info('ss', 'nosuch'))).to.be.instanceOf(
        NotFoundError,
      );
    });
  });
});
