import { expect } from 'chai';
import { AbortError, TimeoutError } from '../../lib/wire/errors.js';
import type { Remote } from '../../lib/wire/schemas.js';
import { SimplestreamsReader } from '../../lib/transport/simplestreams/reader.js';
import { getWorld } from '../support/env.js';
import { startImageServer, type ImageServer, type LoggedRequest } from '../support/image-server.js';
import { rejectionOf } from '../support/procs.js';
import { readerTree } from '../support/ss-tree.js';
import { startStaticServer } from '../support/static-server.js';

const signal = (): AbortSignal => new AbortController().signal;
const remoteAt = (url: string): Remote => ({
  name: 'r',
  url,
  protocol: 'simplestreams',
  public: true,
});
const seen = (requests: LoggedRequest[]): string[] =>
  requests.map((r) => `${r.path} ${r.status ?? ''}`);

describe('simplestreams reads: cache, sharing and aborts', function () {
  let server: ImageServer;
  let env: Record<string, string>;
  let tls: { cert: string; key: string };

  before(async function () {
    const { ca } = await getWorld();
    env = { SSL_CERT_FILE: ca.caCert };
    tls = ca;
    server = await startImageServer({ tls: ca });
    for (const [key, product] of Object.entries(readerTree())) server.publishProduct(key, product);
  });

  after(async function () {
    await server.close();
  });

  // The requests `fn` makes the server see.
  async function requestsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const before = server.requests.length;
    await fn();
    await new Promise((resolve) => setImmediate(resolve)); // the last 'finish' events
    return seen(server.requests.slice(before));
  }

  it('sends nothing within the fresh window', async function () {
    const reader = new SimplestreamsReader({ flavor: 'lxd', env, freshMs: 600_000 });
    const remote = remoteAt(server.url);
    expect(await requestsOf(() => reader.images(remote, signal()))).to.deep.equal([
      '/streams/v1/index.json 200',
      '/streams/v1/images.json 200',
    ]);
    expect(await requestsOf(() => reader.images(remote, signal()))).to.deep.equal([]);
    expect(await requestsOf(() => reader.aliases(remote, signal()))).to.deep.equal([]);
    reader.close();
  });

  it('revalidates after it (304s), and sees a change at once', async function () {
    const reader = new SimplestreamsReader({ flavor: 'incus', env, freshMs: 0 });
    const remote = remoteAt(server.url);
    await reader.images(remote, signal());
    const again = await requestsOf(() => reader.images(remote, signal()));
    expect([...again].sort()).to.deep.equal([
      '/streams/v1/images.json 304',
      '/streams/v1/index.json 304',
    ]);
    const item = {
      ftype: 'incus_combined.tar.gz',
      path: 'images/fresh.tar.gz',
      sha256: 'f'.repeat(64),
      size: 1,
    };
    const versions = { '20261130_0000': { items: { 'incus_combined.tar.gz': item } } };
    const fresh = { aliases: 'fresh-alias', arch: 'amd64', os: 'freshos', release: '1', versions };
    server.publishProduct('freshos:1:amd64:default', fresh);
    const changed = await requestsOf(async () => {
      const images = await reader.images(remote, signal());
      const image = images.find((i) => i.aliases.some((a) => a.name === 'fresh-alias'));
      expect(image?.properties.os).to.equal('freshos');
    });
    expect([...changed].sort()).to.deep.equal([
      '/streams/v1/images.json 200',
      '/streams/v1/index.json 200',
    ]);
    reader.close();
  });

  it('lets concurrent reads share one fetch', async function () {
    const reader = new SimplestreamsReader({ flavor: 'lxd', env, freshMs: 600_000 });
    const remote = remoteAt(server.url);
    const requests = await requestsOf(() =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 ? reader.images(remote, signal()) : reader.aliases(remote, signal()),
        ),
      ),
    );
    expect(requests).to.have.length(2);
    reader.close();
  });

  describe('on a server that holds its answers', function () {
    const index = JSON.stringify({
      index: { i: { datatype: 'image-downloads', path: 'p.json', products: ['a'] } },
    });
    const products = JSON.stringify({ products: readerTree() });
    const routes = { '/streams/v1/index.json': { body: index }, '/p.json': { body: products } };

    it('stops at once when aborted, and drops the request', async function () {
      const held = await startStaticServer(tls, routes);
      held.hold();
      const reader = new SimplestreamsReader({ flavor: 'lxd', env });
      const controller = new AbortController();
      const read = reader.images(remoteAt(held.url), controller.signal);
      while (held.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      expect(await rejectionOf(read)).to.be.instanceOf(AbortError);
      while (held.dropped === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      reader.close();
      await held.close();
    });

    it("gives a TimeoutError for the call's timeout, and lets another caller finish", async function () {
      const held = await startStaticServer(tls, routes);
      held.hold();
      const reader = new SimplestreamsReader({ flavor: 'lxd', env });
      const remote = remoteAt(held.url);
      const controller = new AbortController();
      const cut = reader.images(remote, controller.signal);
      const patient = reader.images(remote, signal());
      while (held.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort(new TimeoutError('the call timed out after 5 ms'));
      expect(await rejectionOf(cut)).to.be.instanceOf(TimeoutError);
      held.release();
      const armos = (await patient).find((image) => image.properties.os === 'armos');
      expect(armos?.properties.os).to.equal('armos');
      expect(held.requests).to.deep.equal(['/streams/v1/index.json', '/p.json']);
      reader.close();
      await held.close();
    });
  });
});
