import { expect } from 'chai';
import { NotFoundError } from '../../lib/errors.js';
import type { Remote } from '../../lib/schemas.js';
import { SimplestreamsReader } from '../../lib/simplestreams/reader.js';
import { getWorld } from '../support/env.js';
import { startImageServer, type ImageServer } from '../support/image-server.js';
import { eachDaemon } from '../support/matrix.js';
import { countSpawns, rejectionOf } from '../support/procs.js';
import { readerTree } from '../support/ss-tree.js';

const signal = (): AbortSignal => new AbortController().signal;

// Refs that exist, among them short aliases of arm64, i386 and other foreign products.
const REFS = ['armos/3.0', 'armos', 'multi', 'pers', 'testos', 'vmonly', 'vmos', 'splitos/cloud'];

describe('simplestreams lookups on the CLI path', function () {
  let server: ImageServer;

  before(async function () {
    const { ca } = await getWorld();
    server = await startImageServer({ tls: ca });
    for (const [key, product] of Object.entries(readerTree())) server.publishProduct(key, product);
  });

  after(async function () {
    await server.close();
  });

  eachDaemon('resolve aliases as lxc does', function (d) {
    let remote: Remote;
    let reader: SimplestreamsReader;

    before(async function () {
      remote = {
        name: `sslookup${server.port}${d.transport}`,
        url: server.url,
        protocol: 'simplestreams',
        public: true,
      };
      const add = [
        'remote',
        'add',
        remote.name,
        server.url,
        '--protocol=simplestreams',
        '--public',
      ];
      await d.sandbox.run(add);
      reader = new SimplestreamsReader({
        flavor: d.binary === 'lxc' ? 'lxd' : 'incus',
        env: d.sandbox.env,
      });
    });

    after(async function () {
      reader.close();
      await d.sandbox.run(['remote', 'remove', remote.name]);
    });

    it("info, getByAlias and exists find an arm64 product's short alias", async function () {
      const image = await d.client.images.info(remote.name, 'armos/3.0');
      expect(image.architecture).to.equal('aarch64');
      expect(image).to.deep.equal(await reader.image(remote, { ref: 'armos/3.0' }, signal()));
      const byAlias = await d.client.images.getByAlias(remote.name, 'armos');
      expect(byAlias).to.deep.equal(image);
      expect(await d.client.images.exists(remote.name, 'armos/3.0')).to.equal(true);
      expect(await d.client.images.exists(remote.name, 'armos/9')).to.equal(false);
      const missing = await rejectionOf(d.client.images.getByAlias(remote.name, 'nosuch'));
      expect(missing).to.be.instanceOf(NotFoundError);
    });

    it('spends one process on an alias of this host, two on a foreign short alias', async function () {
      await d.client.remotes.list();
      const native = await countSpawns(() => d.client.images.info(remote.name, 'testos/1.0'));
      const foreign = await countSpawns(() => d.client.images.info(remote.name, 'armos/3.0'));
      const prefix = await countSpawns(() => d.client.images.info(remote.name, 'b3d3461'));
      expect([native, foreign, prefix]).to.deep.equal([1, 2, 1]);
    });

    it('gives the same images as the reader, one by one and together', async function () {
      const ours = await Promise.all(REFS.map((ref) => reader.image(remote, { ref }, signal())));
      const one = [];
      for (const ref of REFS) one.push(await d.client.images.info(remote.name, ref));
      expect(one).to.deep.equal(ours);
      expect(await d.client.images.infoMany(remote.name, REFS)).to.deep.equal(ours);
      const together = await Promise.all(REFS.map((ref) => d.client.images.info(remote.name, ref)));
      expect(together).to.deep.equal(ours);
    });

    it('lists the same images and aliases as the reader', async function () {
      expect(await d.client.images.list(remote.name)).to.deep.equal(
        await reader.images(remote, signal()),
      );
      expect(await d.client.images.aliases.list(remote.name)).to.deep.equal(
        await reader.aliases(remote, signal()),
      );
      expect(await d.client.images.fingerprints(remote.name)).to.deep.equal(
        await reader.fingerprints(remote, signal()),
      );
    });
  });
});
