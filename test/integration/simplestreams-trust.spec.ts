import { expect } from 'chai';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LxcError, ParseError, RemoteError } from '../../lib/wire/errors.js';
import type { Remote } from '../../lib/wire/schemas.js';
import { SimplestreamsReader } from '../../lib/transport/simplestreams/reader.js';
import { createExecaRunner } from '../../lib/transport/cli/runner.js';
import { BINARIES, getWorld } from '../support/env.js';
import { startImageServer, type ImageServer } from '../support/image-server.js';
import { rejectionOf } from '../support/procs.js';
import { readerTree } from '../support/ss-tree.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { makeTestCa } from '../support/tls.js';

const signal = (): AbortSignal => new AbortController().signal;
const remoteAt = (url: string): Remote => ({
  name: 'r',
  url,
  protocol: 'simplestreams',
  public: true,
});

// How a read failed: 'remote' (RemoteError) or 'failed' (any other LxcError).
function outcome(error: unknown): string {
  if (error instanceof RemoteError) return 'remote';
  if (error instanceof LxcError) return 'failed';
  throw error;
}

describe('simplestreams reads trust what lxc and incus trust', function () {
  let tmp: string;
  let trusted: ImageServer;
  let other: ImageServer;
  let caFile: string;
  const dirs = { ca: '', empty: '', linked: '' };
  let n = 0;

  // What the real client says for `image list` with `env`, from a config of its own.
  async function cliOutcome(
    binary: string,
    url: string,
    env: Record<string, string>,
  ): Promise<string> {
    const conf = join(tmp, `conf-${n++}`);
    const run = createExecaRunner({
      binary,
      env: { ...env, LXD_CONF: conf, INCUS_CONF: conf, INCUS_CACHE: join(conf, 'cache') },
    });
    await run(['remote', 'add', 'r', url, '--protocol=simplestreams', '--public']);
    return run(['image', 'list', 'r:', '--format=json']).then(() => 'ok', outcome);
  }

  before(async function () {
    tmp = await mkdtemp(join(tmpdir(), 'lxc-images-ss-trust-'));
    const { ca } = await getWorld();
    caFile = ca.caCert;
    trusted = await startImageServer({ tls: ca });
    other = await startImageServer({ tls: await makeTestCa(join(tmp, 'other-ca')) });
    for (const server of [trusted, other])
      for (const [key, product] of Object.entries(readerTree()))
        server.publishProduct(key, product);
    for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) {
      dirs[name] = join(tmp, name);
      await mkdir(dirs[name]);
    }
    await copyFile(caFile, join(dirs.ca, 'ca.pem'));
    await symlink(caFile, join(dirs.linked, 'ca.pem'));
  });

  after(async function () {
    await trusted.close();
    await other.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const missing = '/nonexistent/ca.crt';
  const cases = (): { title: string; server: ImageServer; env: Record<string, string> }[] => [
    {
      title: 'SSL_CERT_FILE names the CA',
      server: trusted,
      env: { SSL_CERT_FILE: caFile, SSL_CERT_DIR: '' },
    },
    {
      title: 'the system store alone',
      server: trusted,
      env: { SSL_CERT_FILE: '', SSL_CERT_DIR: '' },
    },
    {
      title: 'SSL_CERT_DIR holds it, no bundle',
      server: trusted,
      env: { SSL_CERT_FILE: missing, SSL_CERT_DIR: dirs.ca },
    },
    {
      title: 'SSL_CERT_DIR without it',
      server: trusted,
      env: { SSL_CERT_FILE: missing, SSL_CERT_DIR: dirs.empty },
    },
    {
      title: 'the second of two dirs holds it',
      server: trusted,
      env: { SSL_CERT_FILE: missing, SSL_CERT_DIR: `${dirs.empty}:${dirs.ca}` },
    },
    {
      title: 'a symlink out of SSL_CERT_DIR',
      server: trusted,
      env: { SSL_CERT_FILE: missing, SSL_CERT_DIR: dirs.linked },
    },
    {
      title: 'a server signed by another CA',
      server: other,
      env: { SSL_CERT_FILE: caFile, SSL_CERT_DIR: dirs.ca },
    },
  ];

  for (const binary of BINARIES) {
    it(`trusts a server exactly when ${binary} does`, async function () {
      const seen: string[] = [];
      for (const { title, server, env } of cases()) {
        const reader = new SimplestreamsReader({ flavor: binary === 'lxc' ? 'lxd' : 'incus', env });
        const ours = await reader.images(remoteAt(server.url), signal()).then(() => 'ok', outcome);
        reader.close();
        expect(ours, title).to.equal(await cliOutcome(binary, server.url, env));
        seen.push(ours);
      }
      // both outcomes were exercised
      expect(seen).to.include('ok').and.to.include('remote');
    });
  }

  it('refuses a server signed by no trusted CA with a RemoteError naming the remote', async function () {
    const reader = new SimplestreamsReader({ flavor: 'lxd', env: { SSL_CERT_FILE: caFile } });
    const error = await rejectionOf(reader.images(remoteAt(other.url), signal()));
    reader.close();
    expect(error).to.be.instanceOf(RemoteError);
    expect(error).to.include({ remote: 'r', code: 'ERR_LXC_REMOTE' });
    expect((error as RemoteError).message).to.include(`${other.url}/streams/v1/index.json`);
  });

  describe('a broken tree fails as it does for the CLI', function () {
    let server: StaticServer;
    const index = (path: string): string =>
      JSON.stringify({
        format: 'index:1.0',
        index: { images: { datatype: 'image-downloads', path, products: ['a'] } },
      });
    const products = (size: unknown): string =>
      JSON.stringify({
        products: {
          a: {
            arch: 'amd64',
            os: 'a',
            versions: {
              '20261101': {
                items: { x: { ftype: 'lxd_combined.tar.gz', path: 'x', sha256: 'ab', size } },
              },
            },
          },
        },
      });

    before(async function () {
      const { ca } = await getWorld();
      server = await startStaticServer(ca, {
        '/nojson/streams/v1/index.json': { body: '{"format": ' },
        '/badtype/streams/v1/index.json': { body: index('p.json') },
        '/badtype/p.json': { body: products('12') },
        '/missing/streams/v1/index.json': { body: index('gone.json') },
      });
    });

    after(async function () {
      await server.close();
    });

    for (const [path, kind, status] of [
      ['nojson', ParseError, undefined],
      ['badtype', ParseError, undefined],
      ['missing', RemoteError, 404],
      ['nothing', RemoteError, 404],
    ] as const) {
      it(`${path}: ${kind.name} for the reader, a failure for lxc too`, async function () {
        const { ca } = await getWorld();
        const env = { SSL_CERT_FILE: ca.caCert };
        const reader = new SimplestreamsReader({ flavor: 'lxd', env });
        const error = await rejectionOf(
          reader.aliases(remoteAt(`${server.url}/${path}`), signal()),
        );
        reader.close();
        expect(error).to.be.instanceOf(kind);
        expect(error).to.include({ remote: 'r', status });
        expect(await cliOutcome('lxc', `${server.url}/${path}`, env)).to.not.equal('ok');
      });
    }
  });
});
