import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createClient,
  NotFoundError,
  RemoteError,
  ValidationError,
  type Client,
  type Image,
} from '../../lib/index.js';
import { sha256Files } from '../../lib/testing/index.js';
import { getWorld } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { rejectionOf } from '../support/procs.js';
import { instance, stageFor, type Stage } from '../support/publish-stage.js';

eachDaemon(
  'images.info and images.export with a secret (a client the server does not trust)',
  function (d) {
    let stage: Stage;
    let client: Client;
    let untrusted: Client;
    let env: Record<string, string>;
    let conf: string;
    let image: Image;
    before(async function () {
      stage = await stageFor(d.binary);
      client = d.clientFor(stage.sandbox);
      // a client config of its own that knows the sandbox only as a public remote: no client
      // certificate is trusted there, and the server's certificate is pinned in servercerts/
      conf = await mkdtemp(join(stage.sandbox.dir, 'untrusted-'));
      env = { [d.binary === 'incus' ? 'INCUS_CONF' : 'LXD_CONF']: conf };
      const address = stage.sandbox.address!;
      await execa(d.binary, ['remote', 'add', 'srv', address, '--public', '--accept-certificate'], {
        env,
      });
      untrusted = createClient({ binary: d.binary, transport: d.transport, env });
      const name = await instance(stage, `sec-${d.tag}`);
      image = await client.images.publish('local', name, { properties: { reader: d.tag } });
      expect(image.public).to.equal(false);
    });

    it('reads and exports a private image with a secret; the export is the image', async function () {
      expect(await rejectionOf(untrusted.images.info('srv', image.fingerprint))).to.be.instanceOf(
        NotFoundError,
      );
      const { secret } = await client.images.createSecret('local', image.fingerprint);
      const read = await untrusted.images.info('srv', image.fingerprint.slice(0, 16), { secret });
      expect(read.fingerprint).to.equal(image.fingerprint);
      expect(read.properties.reader).to.equal(d.tag);
      const dir = await mkdtemp(join(stage.sandbox.dir, 'secret-export-'));
      const result = await untrusted.images.export('srv', image.fingerprint, join(dir, 'img.tar'), {
        secret: (await client.images.createSecret('local', image.fingerprint)).secret,
      });
      expect(result.files).to.deep.equal([join(dir, 'img.tar')]);
      expect(await sha256Files(join(dir, 'img.tar'))).to.equal(image.fingerprint);
    });

    it('a wrong or used-up secret is a NotFoundError, and an export leaves nothing', async function () {
      this.timeout(120_000);
      const wrong = 'f'.repeat(64);
      expect(
        await rejectionOf(untrusted.images.info('srv', image.fingerprint, { secret: wrong })),
      ).to.be.instanceOf(NotFoundError);
      const { secret } = await client.images.createSecret('local', image.fingerprint);
      await untrusted.images.info('srv', image.fingerprint, { secret });
      // the daemons honour a used secret for the ~5 s that they keep its finished operation
      let error: unknown;
      for (let i = 0; i < 60 && error === undefined; i++) {
        await sleep(500);
        error = await untrusted.images.info('srv', image.fingerprint, { secret }).then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      expect(error).to.be.instanceOf(NotFoundError);
      const dir = await mkdtemp(join(stage.sandbox.dir, 'secret-used-'));
      const failed = await rejectionOf(
        untrusted.images.export('srv', image.fingerprint, join(dir, 'x'), { secret }),
      );
      expect(failed).to.be.instanceOf(NotFoundError);
      expect(await readdir(dir)).to.deep.equal([]);
    });

    it('checks the pinned server certificate, and refuses a secret for a remote without https', async function () {
      const pin = join(conf, 'servercerts', 'srv.crt');
      const saved = await readFile(pin);
      const { secret } = await client.images.createSecret('local', image.fingerprint);
      try {
        await writeFile(pin, (await getWorld()).ca.cert); // another server's certificate
        const fresh = createClient({ binary: d.binary, transport: d.transport, env });
        const error = await rejectionOf(fresh.images.info('srv', image.fingerprint, { secret }));
        expect(error).to.be.instanceOf(RemoteError);
      } finally {
        await writeFile(pin, saved);
      }
      const local = await rejectionOf(
        untrusted.images.info('local', image.fingerprint, { secret }),
      );
      expect(local).to.be.instanceOf(ValidationError).with.property('field', 'secret');
    });

    it('the secret shows in no error field and not in the NODE_DEBUG trace', async function () {
      this.timeout(120_000);
      const { secret } = await client.images.createSecret('local', image.fingerprint);
      const dir = await mkdtemp(join(stage.sandbox.dir, 'secret-probe-'));
      const probe = join(import.meta.dirname, '..', 'fixtures', 'secret-read-probe.ts');
      const args = [
        d.binary,
        d.transport,
        JSON.stringify(env),
        'srv',
        image.fingerprint,
        secret,
        dir,
      ];
      const { stdout, stderr } = await execa('node', ['--import', 'tsx', probe, ...args], {
        env: { NODE_DEBUG: 'lxc-images' },
      });
      const results = JSON.parse(stdout) as unknown[];
      expect(results[0]).to.deep.include({ name: 'NotFoundError' });
      expect(results[1]).to.deep.include({ name: 'NotFoundError' });
      expect(results[2]).to.equal(image.fingerprint);
      expect(results[3]).to.deep.include({ name: 'ValidationError' });
      expect(stderr).to.match(/LXC-IMAGES \d+: GET .*secret=\*\*\*/); // the trace ran
      for (const output of [stdout, stderr]) {
        expect(output).to.not.include(secret);
        expect(output).to.not.include(secret.slice(0, 32)); // the wrong secret shares its first half
      }
      expect(await readdir(dir)).to.deep.equal([]);
    });
  },
);
