import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeImage, type Sandbox } from '../lib/testing/index.js';
import { startImageServer } from '../test/support/image-server.js';
import { makeTestCa } from '../test/support/tls.js';

/**
 * A loopback simplestreams server (the tests' own) publishing `benchos`, added to the sandbox's
 * client config as remote `ss`. `env` is the sandbox's environment plus the test CA.
 */
export async function simplestreamsServer(
  sandbox: Sandbox,
): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-bench-ss-'));
  const ca = await makeTestCa(join(dir, 'tls'));
  const server = await startImageServer({ tls: ca });
  const image = await makeImage(dir, { os: 'benchos' });
  server.publish({
    os: 'benchos',
    release: '1.0',
    aliases: ['benchos'],
    version: '20261124_0000',
    image,
  });
  const env = { ...sandbox.env, SSL_CERT_FILE: ca.caCert };
  await sandbox.run(['remote', 'add', 'ss', server.url, '--protocol=simplestreams', '--public']);
  return {
    env,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
