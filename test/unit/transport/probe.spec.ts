import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeTestCa, type TestCa } from '../../../lib/testing/tls.js';
import { probeUrl } from '../../../lib/transport/probe.js';
import { AbortError, RemoteError } from '../../../lib/wire/errors.js';
import { rejection } from '../helpers.js';

describe('the probe of an image URL', () => {
  let dir: string;
  let ca: TestCa;
  let server: Server;
  let url: string;
  const seen: { method: string | undefined; agent: string | undefined }[] = [];
  before(async function () {
    this.timeout(30000);
    dir = await mkdtemp(join(tmpdir(), 'lxc-images-probe-'));
    ca = await makeTestCa(dir);
    server = createServer({ cert: ca.cert, key: ca.key }, (req, res) => {
      seen.push({ method: req.method, agent: req.headers['user-agent'] });
      if (req.url === '/slow') return;
      res.writeHead(200, { 'LXD-Image-Hash': 'ab'.repeat(32), 'LXD-Image-URL': `${url}/i` });
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends HEAD, trusting SSL_CERT_FILE as lxc does, and gives the headers in lower case', async () => {
    const env = { SSL_CERT_FILE: ca.caCert, SSL_CERT_DIR: join(dir, 'none') };
    const reply = await probeUrl({ url: `${url}/img` }, env, new AbortController().signal);
    expect(reply.status).to.equal(200);
    expect(reply.headers['lxd-image-hash']).to.equal('ab'.repeat(32));
    expect(seen.at(-1)).to.deep.equal({ method: 'HEAD', agent: 'lxc-images' });
  });

  it('refuses a server the trusted authorities did not sign (a RemoteError)', async () => {
    const env = { SSL_CERT_FILE: join(dir, 'none.crt'), SSL_CERT_DIR: join(dir, 'none') };
    const error = await rejection(probeUrl({ url }, env, new AbortController().signal));
    expect(error).to.be.instanceOf(RemoteError);
    expect((error as Error).message).to.include(url);
  });

  it('stops when aborted (an AbortError)', async () => {
    const env = { SSL_CERT_FILE: ca.caCert };
    const controller = new AbortController();
    const probing = probeUrl({ url: `${url}/slow` }, env, controller.signal);
    setTimeout(() => {
      controller.abort();
    }, 50);
    expect(await rejection(probing)).to.be.instanceOf(AbortError);
  });
});
