import { expect } from 'chai';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressEvent } from '../../lib/index.js';
import type { Sandbox } from '../../lib/testing/index.js';
import { BINARIES, clearDaemonCache, getSandbox, getWorld, newImage } from '../support/env.js';
import { processesWith, rejectionOf } from '../support/procs.js';

for (const binary of BINARIES) {
  describe(`images.copy and refresh against ${binary}`, function () {
    let main: Sandbox;
    let peer: Sandbox;
    before(async function () {
      main = await getSandbox(binary);
      peer = await getSandbox(binary, 'peer');
      await main.addRemote('peer', peer);
      await peer.run(['profile', 'create', 'web']);
      await peer.run(['project', 'create', 'target', '--config=features.images=true']);
    });

    it('copies from a simplestreams server with aliases, autoUpdate and progress', async function () {
      const image = (await getWorld()).catalog.copyos;
      const events: ProgressEvent[] = [];
      const copied = await main.client.images.copy('ss', 'copyos', 'local', {
        aliases: [`c/${binary}`],
        autoUpdate: true,
        onProgress: (event) => events.push(event),
      });
      expect(copied.fingerprint).to.equal(image.fingerprint);
      expect(copied.auto_update).to.equal(true);
      expect(copied.update_source?.protocol).to.equal('simplestreams');
      expect(copied.aliases.map((a) => a.name)).to.deep.equal([`c/${binary}`]);
      expect(events.length).to.be.above(0);
      expect(events.every((e) => e.stage === 'copy' && typeof e.percent === 'number')).to.equal(
        true,
      );
    });

    for (const mode of ['pull', 'push', 'relay'] as const) {
      it(`copies to another daemon in ${mode} mode`, async function () {
        const image = await newImage();
        await main.client.images.import('local', image.path, { aliases: [`src-${mode}`] });
        const copied = await main.client.images.copy('local', `src-${mode}`, 'peer', {
          mode,
          aliases: [`dst-${mode}`],
          copyAliases: true,
          public: true,
          profiles: ['default', 'web'],
        });
        expect(copied.fingerprint).to.equal(image.fingerprint);
        expect(copied.public).to.equal(true);
        expect(copied.profiles).to.deep.equal(['default', 'web']);
        expect(copied.aliases.map((a) => a.name).sort()).to.deep.equal([
          `dst-${mode}`,
          `src-${mode}`,
        ]);
        expect(
          await peer.client.images.info('local', `dst-${mode}`, (i) => i.fingerprint),
        ).to.equal(image.fingerprint);
      });
    }

    it('copies into a target project', async function () {
      const image = await newImage();
      await main.client.images.import('local', image.path);
      const copied = await main.client.images.copy('local', image.fingerprint, 'peer', {
        targetProject: 'target',
      });
      expect(copied.fingerprint).to.equal(image.fingerprint);
      expect(
        await peer.client.images.exists('local', image.fingerprint, { project: 'target' }),
      ).to.equal(true);
      expect(await peer.client.images.exists('local', image.fingerprint)).to.equal(false);
    });

    it('refresh says false when up to date and true after a newer version is published', async function () {
      const { server, catalog } = await getWorld();
      const copied = await main.client.images.copy('ss', `refos-${binary}`, 'local', {
        aliases: [`r/${binary}`],
        autoUpdate: true,
      });
      expect(copied.fingerprint).to.equal(catalog.refos[binary].fingerprint);
      expect(await main.client.images.refresh('local', `r/${binary}`)).to.deep.equal({
        refreshed: false,
      });
      const v2 = await newImage({ os: `refos-${binary}` });
      server.publish({
        os: `refos-${binary}`,
        release: '1.0',
        aliases: [`refos-${binary}`],
        version: '20261124_0000',
        image: v2,
      });
      // the daemon caches the simplestreams index for an hour
      await clearDaemonCache(main);
      expect(await main.client.images.refresh('local', `r/${binary}`, (r) => r.refreshed)).to.equal(
        true,
      );
      expect(await main.client.images.info('local', `r/${binary}`, (i) => i.fingerprint)).to.equal(
        v2.fingerprint,
      );
    });

    it('a refresh of an image without a source is a plain LxcError', async function () {
      const image = await newImage();
      await main.client.images.import('local', image.path);
      const error = await rejectionOf(main.client.images.refresh('local', image.fingerprint));
      expect((error as Error).name).to.equal('LxcError');
    });

    describe('in the middle of a slow transfer', function () {
      afterEach(async function () {
        (await getWorld()).server.throttle(null);
      });

      for (const how of ['timeout', 'abort'] as const) {
        it(`${how} kills the client (${how === 'timeout' ? 'TimeoutError' : 'AbortError'})`, async function () {
          const { server } = await getWorld();
          server.throttle(200_000);
          const controller = new AbortController();
          let started = false;
          const options =
            how === 'timeout'
              ? { timeout: 3000 }
              : {
                  signal: controller.signal,
                  onProgress: () => {
                    if (!started)
                      setTimeout(() => {
                        controller.abort();
                      }, 300);
                    started = true;
                  },
                };
          const error = await rejectionOf(
            main.client.images.copy('ss', `slow-${how}`, 'local', options),
          );
          expect((error as Error).name).to.equal(how === 'timeout' ? 'TimeoutError' : 'AbortError');
          expect(await processesWith(`ss:slow-${how}`)).to.deep.equal([]);
        });
      }

      it('an export aborted mid-way leaves no file', async function () {
        const image = await newImage({ filler: 150_000_000 });
        await main.client.images.import('local', image.path);
        const dir = join((await getWorld()).tmp, `abort-export-${binary}`);
        await mkdir(dir, { recursive: true });
        const controller = new AbortController();
        const error = await rejectionOf(
          main.client.images.export('local', image.fingerprint, join(dir, 'out.tar.gz'), {
            signal: controller.signal,
            onProgress: () => {
              controller.abort();
            },
          }),
        );
        expect((error as Error).name).to.equal('AbortError');
        expect(await readdir(dir)).to.deep.equal([]);
      });
    });
  });
}
