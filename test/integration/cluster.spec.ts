import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, RemoteError, type Client } from '../../lib/index.js';
import {
  makeImage,
  sha256Files,
  startCluster,
  startSandbox,
  type Cluster,
  type ClusterMember,
  type Sandbox,
  type TestImage,
} from '../../lib/testing/index.js';
import { mountsUnder } from '../../lib/testing/sandbox.js';
import { BINARIES, tagOf, TRANSPORTS } from '../support/env.js';
import { processesWith, rejectionOf } from '../support/procs.js';

// How long a write that needs a dead member may take to be refused.
const BOUNDED_MS = 30000;

// Pids of the processes whose environment mentions `dir` (a daemon or client of a cluster).
async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(dir)) found.push(entry);
  }
  return found;
}

// The status of member `name` as `viewer` sees it (`Online`, `Offline`…).
async function statusOf(viewer: ClusterMember, name: string): Promise<string> {
  const { stdout } = await viewer.run(['query', `/1.0/cluster/members/${name}`]);
  return (JSON.parse(stdout) as { status: string }).status;
}

// Whether the image exists on each member, by member name.
async function presence(
  client: Client,
  members: readonly ClusterMember[],
  fingerprint: string,
): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    members.map(async (m) => [m.name, await client.images.exists(m.remote, fingerprint)] as const),
  );
  return Object.fromEntries(entries);
}

// `{n1: value, n2: value…}`
function everyMember<T>(members: readonly ClusterMember[], value: T): Record<string, T> {
  return Object.fromEntries(members.map((m) => [m.name, value]));
}

for (const binary of BINARIES) {
  describe(`a three-member ${binary} cluster`, function () {
    this.timeout(300000);
    let cluster: Cluster;
    let sandbox: Sandbox;
    let tmp: string | undefined;
    const stops: (() => Promise<void>)[] = [];
    let n1: ClusterMember;
    let n2: ClusterMember;
    let n3: ClusterMember;
    const image = (options: { os?: string } = {}): Promise<TestImage> =>
      makeImage(tmp!, { seed: `cluster-${Math.random()}`, ...options });

    before(async function () {
      this.timeout(240000);
      tmp = await mkdtemp(join(tmpdir(), 'lxc-images-cluster-spec-'));
      const [c, s] = await Promise.allSettled([
        startCluster({ binary }),
        startSandbox({ binary, listen: true }),
      ]);
      if (c.status === 'fulfilled') stops.push(() => c.value.stop());
      if (s.status === 'fulfilled') stops.push(() => s.value.stop());
      if (c.status === 'rejected') throw c.reason;
      if (s.status === 'rejected') throw s.reason;
      cluster = c.value;
      sandbox = s.value;
      [n1, n2, n3] = cluster.members as [ClusterMember, ClusterMember, ClusterMember];
      await cluster.addRemote('sb', sandbox);
      await cluster.addTo(sandbox, 'cl', n2);
    });

    after(async function () {
      this.timeout(120000);
      await Promise.allSettled(stops.map((stop) => stop()));
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    // (mocha runs a suite's own tests before its nested suites: every test here is in one)
    describe('members', function () {
      it('has every member online, and one remote per member in its client', async function () {
        const remotes = await cluster.client.remotes.list((list) =>
          Object.fromEntries(list.map((r) => [r.name, r.url])),
        );
        for (const member of cluster.members) {
          expect(remotes[member.remote]).to.equal(`https://${member.address}`);
          expect(await statusOf(n1, member.name)).to.equal('Online');
        }
        expect(cluster.members.map((m) => m.name)).to.deep.equal(['n1', 'n2', 'n3']);
      });
    });

    for (const transport of TRANSPORTS) {
      describe(`over ${transport}`, function () {
        const tag = tagOf(binary, transport);
        let client: Client;
        let sandboxClient: Client;

        before(function () {
          client = createClient({ binary, env: cluster.env, transport });
          sandboxClient = createClient({ binary, env: sandbox.env, transport });
        });

        it('imports through n1; lists, reads, aliases, edits and exports through n2', async function () {
          const img = await image();
          const imported = await client.images.import('n1', img.path);
          expect(imported.fingerprint).to.equal(img.fingerprint);

          const listed = await client.images.list('n2', (list) => list.map((i) => i.fingerprint));
          expect(listed).to.include(img.fingerprint);
          const info = await client.images.info('n2', img.fingerprint);
          expect(info.size).to.equal(img.size);
          expect(info.properties.os).to.equal('testos');

          const alias = `cl/${tag}`;
          await client.images.aliases.create('n2', { name: alias, target: img.fingerprint });
          expect(await client.images.aliases.info('n2', alias, (a) => a.target)).to.equal(
            img.fingerprint,
          );
          expect(await client.images.info('n1', alias, (i) => i.fingerprint)).to.equal(
            img.fingerprint,
          );

          await client.images.update('n2', img.fingerprint, { properties: { edited: 'yes' } });
          await client.images.setProperty('n2', alias, 'by', tag);
          const properties = await client.images.info('n3', img.fingerprint, (i) => i.properties);
          expect(properties).to.include({ edited: 'yes', by: tag, os: 'testos' });

          const out = join(tmp!, `export-${tag}`);
          await mkdir(out, { recursive: true });
          const exported = await client.images.export('n2', alias, out);
          expect(exported.fingerprint).to.equal(img.fingerprint);
          expect(exported.files).to.have.length(1);
          expect(await sha256Files(...exported.files)).to.equal(img.fingerprint);
        });

        it('copies from a single daemon into the cluster, and from the cluster out', async function () {
          const inbound = await image();
          await sandboxClient.images.import('local', inbound.path);
          const copiedIn = await sandboxClient.images.copy('local', inbound.fingerprint, 'cl', {
            aliases: [`in-${tag}`],
          });
          expect(copiedIn.fingerprint).to.equal(inbound.fingerprint);
          for (const member of cluster.members) {
            expect(
              await client.images.info(member.remote, `in-${tag}`, (i) => i.fingerprint),
            ).to.equal(inbound.fingerprint);
          }

          const outbound = await image();
          await client.images.import('n1', outbound.path);
          const copiedOut = await client.images.copy('n2', outbound.fingerprint, 'sb', {
            aliases: [`out-${tag}`],
          });
          expect(copiedOut.fingerprint).to.equal(outbound.fingerprint);
          expect(
            await sandboxClient.images.info('local', `out-${tag}`, (i) => i.fingerprint),
          ).to.equal(outbound.fingerprint);
        });

        it('deletes through n3, and the image is gone from every member', async function () {
          const img = await image();
          await client.images.import('n1', img.path, { aliases: [`del-${tag}`] });
          expect(await presence(client, cluster.members, img.fingerprint)).to.deep.equal(
            everyMember(cluster.members, true),
          );
          await client.images.delete('n3', img.fingerprint);
          expect(await presence(client, cluster.members, img.fingerprint)).to.deep.equal(
            everyMember(cluster.members, false),
          );
          for (const member of cluster.members) {
            expect(
              await client.images.aliases.list(member.remote, (l) => l.map((a) => a.name)),
            ).to.not.include(`del-${tag}`);
          }
        });

        it('prunes once through n2: one listing, each image deleted once, gone from every member', async function () {
          const project = `prune-${tag}`;
          await cluster.run(['project', 'create', project, '-c', 'features.images=true']);
          const imgs = [await image(), await image(), await image()];
          await client.images.import('n1', imgs[0]!.path, { project });
          await client.images.import('n3', imgs[1]!.path, { project });
          await client.images.import('n3', imgs[2]!.path, { project, aliases: [`pr-${tag}`] });
          const usage = await client.images.usage('n2', { project });
          expect(usage.map((u) => u.fingerprint).sort()).to.deep.equal(
            imgs.map((i) => i.fingerprint).sort(),
          );
          const result = await client.images.prune('n2', { unusedFor: 0 }, { project });
          expect(result.deleted.map((i) => i.fingerprint).sort()).to.deep.equal(
            [imgs[0]!.fingerprint, imgs[1]!.fingerprint].sort(),
          );
          expect(result.kept).to.deep.equal([
            { fingerprint: imgs[2]!.fingerprint, reason: `alias pr-${tag}` },
          ]);
          for (const member of cluster.members) {
            const left = await client.images.fingerprints(member.remote, { project });
            expect(left, member.name).to.deep.equal([imgs[2]!.fingerprint]);
          }
        });

        it('with a member killed: reads through a live member work, a write that needs the dead one is a RemoteError naming it, and works after a restart', async function () {
          const img = await image();
          await client.images.import('n1', img.path);
          await n3.kill();
          try {
            expect(await client.images.fingerprints('n2')).to.include(img.fingerprint);
            expect(await client.images.info('n1', img.fingerprint, (i) => i.size)).to.equal(
              img.size,
            );

            const started = performance.now();
            const error = await rejectionOf(client.images.delete('n2', img.fingerprint));
            const elapsed = performance.now() - started;
            expect(elapsed).to.be.below(BOUNDED_MS);
            expect(error).to.be.instanceOf(RemoteError);
            const remoteError = error as RemoteError;
            expect(remoteError.member).to.equal(n3.address);
            // LXD's own words: "failed to notify peer 127.0.0.1:PORT: … connection refused", or
            // "peer node 127.0.0.1:PORT is down" when the leader's last heartbeat of the member
            // (it was restarted by the test before) is already older than the offline threshold
            const notified =
              remoteError.message.includes(`failed to notify peer ${n3.address}`) &&
              remoteError.message.includes('connection refused');
            const down = remoteError.message.includes(`peer node ${n3.address} is down`);
            expect(notified || down, remoteError.message).to.equal(true);
            expect(await processesWith(img.fingerprint)).to.deep.equal([]);
            expect(await client.images.exists('n2', img.fingerprint)).to.equal(true);
          } finally {
            await n3.restart();
          }
          await client.images.delete('n2', img.fingerprint);
          expect(await presence(client, cluster.members, img.fingerprint)).to.deep.equal(
            everyMember(cluster.members, false),
          );
        });

        if (transport === 'rest') {
          it('fails over: a read through the remote of a killed member goes through another member', async function () {
            const img = await image();
            const rest = createClient({ binary, env: cluster.env, transport: 'rest' });
            await rest.images.import('n2', img.path);
            // both clients know n3's cluster before it goes down
            const noFailover = createClient({
              binary,
              env: cluster.env,
              transport: 'rest',
              failover: false,
            });
            expect(await rest.images.exists('n3', img.fingerprint)).to.equal(true);
            expect(await noFailover.images.exists('n3', img.fingerprint)).to.equal(true);
            await n3.kill();
            try {
              expect(await rest.images.info('n3', img.fingerprint, (i) => i.fingerprint)).to.equal(
                img.fingerprint,
              );
              expect(await rest.images.fingerprints('n3')).to.include(img.fingerprint);
              const error = await rejectionOf(noFailover.images.info('n3', img.fingerprint));
              expect(error).to.be.instanceOf(RemoteError);
            } finally {
              await n3.restart();
            }
            await rest.images.delete('n2', img.fingerprint);
          });
        }
      });
    }

    describe('a member offline', function () {
      // The daemon stops trying the dead member once heartbeats have marked it offline
      // (cluster.offline_threshold, 20 s), and says so in other words: "peer node <addr> is down".
      it('once the cluster has marked the dead member offline, the write is still a RemoteError naming it (both transports)', async function () {
        const clients = TRANSPORTS.map((transport) =>
          createClient({ binary, env: cluster.env, transport }),
        );
        const img = await image();
        await cluster.client.images.import('n1', img.path);
        const outcomes: Record<string, unknown> = {};
        await n3.kill();
        try {
          const deadline = Date.now() + 90000;
          while ((await statusOf(n2, n3.name)) !== 'Offline') {
            if (Date.now() > deadline) throw new Error('n2 never saw n3 offline');
            await sleep(500);
          }
          for (const client of clients) {
            const started = performance.now();
            const error = await rejectionOf(client.images.delete('n2', img.fingerprint));
            outcomes[client.transport] = {
              bounded: performance.now() - started < BOUNDED_MS,
              name: (error as Error).name,
              member: error instanceof RemoteError ? error.member : undefined,
              daemonWords: (error as Error).message.includes(`peer node ${n3.address} is down`),
              leftovers: await processesWith(img.fingerprint),
            };
          }
        } finally {
          await n3.restart();
        }
        const expected = {
          bounded: true,
          name: 'RemoteError',
          member: n3.address,
          daemonWords: true,
          leftovers: [],
        };
        expect(outcomes).to.deep.equal({ cli: expected, rest: expected });
        await cluster.client.images.delete('n2', img.fingerprint);
        expect(await presence(cluster.client, cluster.members, img.fingerprint)).to.deep.equal(
          everyMember(cluster.members, false),
        );
      });
    });

    describe('stop', function () {
      it('stop() leaves no process, no mount and no directory', async function () {
        const dirs = [cluster.dir, ...cluster.members.map((m) => m.dir)];
        expect(await processesUnder(cluster.dir)).to.not.deep.equal([]);
        await cluster.stop();
        expect(await processesUnder(cluster.dir)).to.deep.equal([]);
        expect(await mountsUnder(cluster.dir)).to.deep.equal([]);
        expect(dirs.filter((dir) => existsSync(dir))).to.deep.equal([]);
        expect(cluster.members.map((m) => m.running)).to.deep.equal([false, false, false]);
      });
    });
  });
}
