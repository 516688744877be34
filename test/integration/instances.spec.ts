import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  containerSupport,
  createInstance,
  deleteInstance,
  makeImage,
  snapshotInstance,
  startInstance,
  startSandbox,
  stopInstance,
  type Sandbox,
} from '../../lib/testing/index.js';
import { mountsUnder } from '../../lib/testing/sandbox.js';
import { BINARIES } from '../support/env.js';
import { processesWith } from '../support/procs.js';
import { skipBecause } from '../support/publish-stage.js';

// The status of an instance.
async function state(sandbox: Sandbox, name: string): Promise<string> {
  return sandbox.client.query(
    'local',
    `/1.0/instances/${name}`,
    (v) => (v as { status: string }).status,
  );
}

for (const binary of BINARIES) {
  describe(`lxc-images/testing: instances in a sandbox of ${binary}`, function () {
    let sandbox: Sandbox;
    let running = true;
    before(async function () {
      this.timeout(120_000);
      sandbox = await startSandbox({ binary });
      const dir = await mkdtemp(join(sandbox.dir, 'images-'));
      const boot = await makeImage(dir, { bootable: true });
      await sandbox.client.images.import('local', boot.path, { aliases: ['boot'] });
      const plain = await makeImage(dir);
      await sandbox.client.images.import('local', plain.path, { aliases: ['plain'] });
    });
    after(async function () {
      if (running) await sandbox.stop();
    });

    it('has a dir pool and a root disk in the default profile', async function () {
      const pools = await sandbox.client.query('local', '/1.0/storage-pools?recursion=1', (v) =>
        (v as { name: string; driver: string }[]).map((p) => `${p.name}:${p.driver}`),
      );
      expect(pools).to.deep.equal(['default:dir']);
      const root = await sandbox.client.query(
        'local',
        '/1.0/profiles/default',
        (v) => (v as { devices: Record<string, Record<string, string>> }).devices.root,
      );
      expect(root).to.include({ type: 'disk', path: '/', pool: 'default' });
    });

    it('has no pool with instances: false', async function () {
      const bare = await startSandbox({ binary, instances: false });
      try {
        const pools = await bare.client.query('local', '/1.0/storage-pools', (v) => v ?? []); // Incus: null
        expect(pools).to.deep.equal([]);
      } finally {
        await bare.stop();
      }
    });

    it('creates an instance from an image and snapshots it, without starting it', async function () {
      await createInstance(sandbox, 'plain', 'p1');
      await snapshotInstance(sandbox, 'p1', 'snap0');
      expect(await state(sandbox, 'p1')).to.equal('Stopped');
      const snapshots = await sandbox.client.query(
        'local',
        '/1.0/instances/p1/snapshots',
        (v) => v,
      );
      expect(snapshots).to.deep.equal(['/1.0/instances/p1/snapshots/snap0']);
      await deleteInstance(sandbox, 'p1');
      expect(await sandbox.client.query('local', '/1.0/instances', (v) => v)).to.deep.equal([]);
    });

    it('says why containers cannot start from an image without an init', async function () {
      const support = await containerSupport(sandbox, 'plain');
      expect(support.supported).to.equal(false);
      expect(support.reason).to.match(/^containers do not start here: /);
    });

    it('starts and stops a container of a bootable image; stop() leaves no process and no mount', async function () {
      const support = await containerSupport(sandbox, 'boot');
      if (!support.supported) skipBecause(this, support.reason ?? 'no containers');
      await createInstance(sandbox, 'boot', 'b1', { start: true });
      expect(await state(sandbox, 'b1')).to.equal('Running');
      await stopInstance(sandbox, 'b1');
      expect(await state(sandbox, 'b1')).to.equal('Stopped');
      await startInstance(sandbox, 'b1');
      await createInstance(sandbox, 'boot', 'b2', { start: true, ephemeral: true });
      running = false;
      await sandbox.stop(); // stops the running containers first
      expect(await processesWith(sandbox.dir)).to.deep.equal([]);
      expect(await mountsUnder(sandbox.dir)).to.deep.equal([]);
    });
  });
}
