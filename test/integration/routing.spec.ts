import { expect } from 'chai';
import { NotFoundError, type Client, type Runner } from '../../lib/index.js';
import { getWorld, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { rejectionOf } from '../support/procs.js';

eachDaemon('routing and coalescing', function (d) {
  let calls: (readonly string[])[];
  let client: Client;
  beforeEach(function () {
    calls = [];
    const run: Runner = (args, options) => (calls.push(args), d.sandbox.run(args, options));
    client = d.clientFor(d.sandbox, { runner: run });
  });

  // the CLI spends one process on a read of a simplestreams remote; REST reads its index in the
  // client and spends none
  const processesPerRead = (): number => (d.transport === 'cli' ? 1 : 0);

  it('a read of a simplestreams remote spawns one process on the CLI, none over REST (once the remote list is read)', async function () {
    const published = (await getWorld()).catalog.ssos;
    await client.remotes.list();
    calls.length = 0;
    expect(await client.images.info('ss', 'ssos', (i) => i.fingerprint)).to.equal(
      published.fingerprint,
    );
    expect(calls).to.have.length(processesPerRead());
    if (d.transport === 'cli')
      expect(calls[0]?.slice(0, 3)).to.deep.equal(['image', 'list', 'ss:']);
    calls.length = 0;
    expect(await client.images.aliases.list('ss', (list) => list.length)).to.be.above(0);
    expect(calls).to.have.length(processesPerRead());
  });

  it('concurrent info calls on a simplestreams remote share one listing', async function () {
    const published = (await getWorld()).catalog.ssos;
    await client.remotes.list();
    calls.length = 0;
    const found = await Promise.all(
      ['ssos', 'ssos/1.0', published.fingerprint.slice(0, 12)].map((ref) =>
        client.images.info('ss', ref, (i) => i.fingerprint),
      ),
    );
    expect(found).to.deep.equal([
      published.fingerprint,
      published.fingerprint,
      published.fingerprint,
    ]);
    expect(calls).to.have.length(processesPerRead());
  });

  it('concurrent info calls on an LXD remote read each image, never the whole list', async function () {
    const images = [await newImage(), await newImage(), await newImage()];
    for (const image of images)
      await d.client.images.import('local', image.path, {
        aliases: [`many-${image.fingerprint.slice(0, 6)}`],
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
    const listings = calls.filter(
      (args) => args.includes('list') || args.some((a) => a.includes('recursion=1')),
    );
    expect(listings).to.deep.equal([]);
    // a full fingerprint: 1 read; an alias: the alias, then the image; a prefix: no such alias, then the image
    expect(calls).to.have.length(d.transport === 'cli' ? 5 : 0);
    const many = await client.images.infoMany('local', refs, (list) =>
      list.map((i) => i.fingerprint),
    );
    expect(many).to.deep.equal(images.map((i) => i.fingerprint));
    expect(await rejectionOf(client.images.infoMany('local', [refs[0]!, 'nope']))).to.be.instanceOf(
      NotFoundError,
    );
  });
});
