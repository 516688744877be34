import { expect } from 'chai';
import { NotFoundError } from '../../lib/wire/errors.js';
import type { Remote } from '../../lib/wire/schemas.js';
import type { Client } from '../../lib/index.js';
import { getWorld } from '../support/env.js';
import { startImageServer, type ImageServer } from '../support/image-server.js';
import { eachDaemon } from '../support/matrix.js';
import { countSpawns, rejectionOf } from '../support/procs.js';
import { readerTree } from '../support/ss-tree.js';

// Refs that exist, among them short aliases of arm64, i386 and other foreign products.
const REFS = ['armos/3.0', 'armos', 'multi', 'pers', 'testos', 'vmonly', 'vmos', 'splitos/cloud'];

describe('simplestreams lookups on both transports', function () {
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
    // the CLI transport's client: what the other transport is compared with
    let cli: Client;

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
      cli = d.clientFor(d.sandbox, { transport: 'cli' });
    });

    after(async function () {
      await d.sandbox.run(['remote', 'remove', remote.name]);
    });

    it("info, getByAlias and exists find an arm64 product's short alias", async function () {
      const image = await d.client.images.info(remote.name, 'armos/3.0');
      expect(image.architecture).to.equal('aarch64');
      expect(image).to.deep.equal(await cli.images.info(remote.name, 'armos/3.0'));
      const byAlias = await d.client.images.getByAlias(remote.name, 'armos');
      expect(byAlias).to.deep.equal(image);
      expect(await d.client.images.exists(remote.name, 'armos/3.0')).to.equal(true);
      expect(await d.client.images.exists(remote.name, 'armos/9')).to.equal(false);
      const missing = await rejectionOf(d.client.images.getByAlias(remote.name, 'nosuch'));
      expect(missing).to.be.instanceOf(NotFoundError);
    });

    it('spends one process on an alias of this host, two on a foreign short alias (none over REST)', async function () {
      await d.client.remotes.list();
      const native = await countSpawns(() => d.client.images.info(remote.name, 'testos/1.0'));
      const foreign = await countSpawns(() => d.client.images.info(remote.name, 'armos/3.0'));
      const prefix = await countSpawns(() => d.client.images.info(remote.name, 'b3d3461'));
      const spent = d.transport === 'cli' ? [1, 2, 1] : [0, 0, 0];
      expect([native, foreign, prefix]).to.deep.equal(spent);
    });

    it('gives the same images as the CLI transport, one by one and together', async function () {
      const ours = [];
      for (const ref of REFS) ours.push(await cli.images.info(remote.name, ref));
      const one = [];
      for (const ref of REFS) one.push(await d.client.images.info(remote.name, ref));
      expect(one).to.deep.equal(ours);
      expect(await d.client.images.infoMany(remote.name, REFS)).to.deep.equal(ours);
      const together = await Promise.all(REFS.map((ref) => d.client.images.info(remote.name, ref)));
      expect(together).to.deep.equal(ours);
    });

    it('lists the same images and aliases as the CLI transport', async function () {
      expect(await d.client.images.list(remote.name)).to.deep.equal(
        await cli.images.list(remote.name),
      );
      expect(await d.client.images.aliases.list(remote.name)).to.deep.equal(
        await cli.images.aliases.list(remote.name),
      );
      expect(await d.client.images.fingerprints(remote.name)).to.deep.equal(
        await cli.images.fingerprints(remote.name),
      );
    });
  });
});
