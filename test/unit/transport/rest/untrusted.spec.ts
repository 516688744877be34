import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fakeClient } from '../../fake-transport.js';
import { F0, fixture, rejection } from '../../helpers.js';
import { NotFoundError, RemoteError, ValidationError } from '../../../../lib/wire/errors.js';
import { createExecaRunner } from '../../../../lib/transport/cli/runner.js';

const SECRET = 'c0ffee'.repeat(10) + 'beef';
const openssl = createExecaRunner({ binary: 'openssl', env: {} });

// A self-signed certificate for 127.0.0.1, as LXD's own: `<dir>/<name>.crt` and `.key`.
async function selfSigned(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const [crt, key] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
  await openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
      .concat(['-nodes', '-days', '1', '-subj', '/CN=lxd', '-keyout', key, '-out', crt])
      .concat(['-addext', 'subjectAltName=IP:127.0.0.1']),
  );
  return { cert: await readFile(crt, 'utf8'), key: await readFile(key, 'utf8') };
}

describe('images.info and images.export with a secret (untrusted HTTPS reads)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let other: string;
  const seen: { url: string; clientCert: boolean }[] = [];
  before(async function () {
    this.timeout(20_000);
    dir = await mkdtemp(join(tmpdir(), 'lxc-images-untrusted-'));
    const pair = await selfSigned(dir, 'server');
    other = (await selfSigned(dir, 'other')).cert;
    server = createServer({ ...pair, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as unknown as { getPeerCertificate(): object };
      const peer = socket.getPeerCertificate();
      seen.push({ url: req.url ?? '', clientCert: Object.keys(peer).length > 0 });
      const url = new URL(req.url ?? '/', 'https://x');
      const good = url.searchParams.get('secret') === SECRET && !url.pathname.endsWith('/export');
      res.writeHead(good ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(
        good
          ? `{"type":"sync","status_code":200,"metadata":${fixture('image.lxd.json')}}`
          : JSON.stringify({ type: 'error', error_code: 404, error: `Image "${F0}" not found` }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    await mkdir(join(dir, 'conf', 'servercerts'), { recursive: true });
    await writeFile(join(dir, 'conf', 'servercerts', 'srv.crt'), pair.cert);
    await writeFile(join(dir, 'conf', 'servercerts', 'bad.crt'), other);
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen.length = 0;
  });

  // A client whose config knows the server as `srv` (pinned), `bad` (another pin) and `nopin`.
  function untrusted(): ReturnType<typeof fakeClient> {
    const made = fakeClient({ env: { LXD_CONF: join(dir, 'conf') }, project: 'p' });
    const url = `https://127.0.0.1:${port}`;
    made.fake.remotes = [
      ...made.fake.remotes,
      ...['srv', 'bad', 'nopin'].map((name) => ({ name, url, protocol: 'lxd', public: true })),
    ];
    return made;
  }

  it('sends ?secret= without a client certificate and reads the image', async () => {
    const { fake, client } = untrusted();
    const image = await client.images.info('srv', F0.slice(0, 12), { secret: SECRET });
    expect(image.fingerprint).to.equal(F0);
    expect(seen).to.deep.equal([
      { url: `/1.0/images/${F0.slice(0, 12)}?secret=${SECRET}&project=p`, clientCert: false },
    ]);
    expect(fake.keys()).to.deep.equal([]); // nothing went through the client's transport
  });

  it('a refused secret is a NotFoundError that shows the secret nowhere', async () => {
    const { client } = untrusted();
    for (const attempt of [
      client.images.info('srv', F0, { secret: `${SECRET}x` }),
      client.images.export('srv', F0, dir, { secret: `${SECRET}x` }),
    ]) {
      const error = (await rejection(attempt)) as NotFoundError;
      expect(error).to.be.instanceOf(NotFoundError);
      const shown = JSON.stringify([
        error.message,
        error.command,
        error.stdout,
        error.stderr,
        error.stack,
      ]);
      expect(shown).to.not.include(SECRET);
      expect(error.command.join(' ')).to.match(/secret=\*\*\*/);
    }
  });

  it('checks the pinned certificate, or the system CAs when none is pinned', async () => {
    const { client } = untrusted();
    for (const remote of ['bad', 'nopin'])
      expect(
        await rejection(client.images.info(remote, F0, { secret: SECRET })),
        remote,
      ).to.be.instanceOf(RemoteError);
    expect(seen).to.deep.equal([]);
  });

  it('refuses a bad secret, or a remote that is not https, before any request, without showing it', async () => {
    const { fake, client } = untrusted();
    for (const secret of ['', 'a b', 'a\nb', 'x'.repeat(2048), 42 as unknown as string]) {
      const error = await rejection(client.images.info('srv', F0, { secret }));
      expect(error).to.be.instanceOf(ValidationError).with.property('field', 'secret');
      if (typeof secret === 'string' && secret.length > 1)
        expect((error as Error).message).to.not.include(secret);
    }
    for (const remote of ['local', 'images'])
      expect(await rejection(client.images.info(remote, F0, { secret: SECRET }))).to.be.instanceOf(
        ValidationError,
      );
    expect(
      await rejection(client.images.info('srv', 'alpine', { secret: SECRET })),
    ).to.be.instanceOf(ValidationError);
    expect(seen).to.deep.equal([]);
    expect(fake.keys()).to.deep.equal([]);
  });
});
