import { expect } from 'chai';
import { LxcError, NotFoundError } from '../../lib/wire/errors.js';
import {
  ImageAliasListSchema,
  ImageListSchema,
  type ImageAlias,
  type Remote,
} from '../../lib/wire/schemas.js';
import { createClient, type Client } from '../../lib/index.js';
import { pickPrefix } from '../../lib/requests/pick.js';
import { resolveListed } from '../../lib/requests/public-aliases.js';
import type { Sandbox } from '../../lib/testing/index.js';
import { BINARIES, getSandbox, getWorld } from '../support/env.js';
import { startImageServer, type ImageServer } from '../support/image-server.js';
import { countSpawns } from '../support/procs.js';
import { foreignTree, readerTree } from '../support/ss-tree.js';

// Refs whose resolution differs between a naive pick and lxc's: a foreign architecture's short
// alias, several foreign ones, a personality, VM-only and mixed products, an alias two products
// claim, a medium alias, and misses.
const REFS = [
  'armos/3.0',
  'armos',
  'multi',
  'multi/1',
  'pers',
  'vmonly',
  'vmos',
  'testos',
  'testos/1.0/arm64',
  'splitos/cloud',
  'dupalias',
  'nosuch',
];

// What `image info` says, in the words both sides are compared in.
function outcome(error: unknown): string {
  if (error instanceof NotFoundError) return 'not found';
  if (error instanceof LxcError && /More than one/i.test(error.message)) return 'ambiguous';
  if (error instanceof LxcError && error.message.includes("couldn't be found")) return 'not found';
  throw error;
}

describe('simplestreams reads in the client (no process)', function () {
  let server: ImageServer;
  // 240 products of mixed architectures sharing 13 aliases
  let foreign: ImageServer;

  before(async function () {
    const { ca } = await getWorld();
    server = await startImageServer({ tls: ca });
    for (const [key, product] of Object.entries(readerTree())) server.publishProduct(key, product);
    foreign = await startImageServer({ tls: ca });
    for (const [key, product] of Object.entries(foreignTree(240)))
      foreign.publishProduct(key, product);
  });

  after(async function () {
    await server.close();
    await foreign.close();
  });

  for (const binary of BINARIES) {
    describe(`give what ${binary} gives for the same tree`, function () {
      let sandbox: Sandbox;
      let rest: Client;
      let remote: Remote;
      const cli = async (args: string[]): Promise<unknown> =>
        JSON.parse((await sandbox.run([...args, '--format=json'])).stdout);

      before(async function () {
        sandbox = await getSandbox(binary);
        remote = {
          name: `ssread${server.port}`,
          url: server.url,
          protocol: 'simplestreams',
          public: true,
        };
        await sandbox.run([
          'remote',
          'add',
          remote.name,
          server.url,
          '--protocol=simplestreams',
          '--public',
        ]);
        rest = createClient({ binary, env: sandbox.env, transport: 'rest' });
      });

      after(async function () {
        await sandbox.run(['remote', 'remove', remote.name]);
      });

      // The library's answer for `image info <ref>` (`--vm`: its one rule on the same listings).
      async function ours(name: string, ref: string, vm: boolean): Promise<string> {
        if (!vm) return rest.images.info(name, ref).then((image) => image.fingerprint, outcome);
        const images = await rest.images.list(name);
        const aliases = (): Promise<ImageAlias[]> => rest.images.aliases.list(name);
        const query = { ref, type: 'virtual-machine' as const, prefix: true };
        const found = await resolveListed({ images, aliases }, query);
        if (found === undefined) return 'not found';
        try {
          return typeof found === 'string'
            ? pickPrefix(images, found).fingerprint
            : found.fingerprint;
        } catch (error) {
          return outcome(error);
        }
      }

      it('lists the same images, field by field and in the same order', async function () {
        const expected = ImageListSchema.parse(await cli(['image', 'list', `${remote.name}:`]));
        expect(expected).to.have.length(20);
        expect(await rest.images.list(remote.name)).to.deep.equal(expected);
        const fingerprints = expected.map((image) => image.fingerprint);
        expect(await rest.images.fingerprints(remote.name)).to.deep.equal(fingerprints);
      });

      it('lists the same aliases, with the same targets and in the same order', async function () {
        const expected = ImageAliasListSchema.parse(
          await cli(['image', 'alias', 'list', `${remote.name}:`]),
        );
        expect(expected.length).to.be.greaterThan(40);
        expect(await rest.images.aliases.list(remote.name)).to.deep.equal(expected);
      });

      it('resolves aliases, prefixes and fingerprints as `image info` (and `--vm`) does', async function () {
        const images = await rest.images.list(remote.name);
        const refs = [...REFS, ...images.slice(0, 3).map((i) => i.fingerprint.slice(0, 8)), '1'];
        for (const ref of refs) {
          for (const vm of [false, true]) {
            const args = ['image', 'info', `${remote.name}:${ref}`, ...(vm ? ['--vm'] : [])];
            const theirs = await sandbox
              .run(args)
              .then((r) => /^Fingerprint: (\S+)$/m.exec(r.stdout)?.[1], outcome);
            const answer = await ours(remote.name, ref, vm).catch(outcome);
            expect(answer, `${ref}${vm ? ' --vm' : ''}`).to.equal(theirs);
          }
        }
      });

      it("finds an arm64 product's short alias on this x86_64 host, as lxc does", async function () {
        const shown = await sandbox.run(['image', 'info', `${remote.name}:armos/3.0`]);
        const image = await rest.images.info(remote.name, 'armos/3.0');
        expect(shown.stdout).to.include(`Fingerprint: ${image.fingerprint}`);
        expect(image.architecture).to.equal('aarch64');
        const alias = await rest.images.aliases.info(remote.name, 'armos');
        expect(alias.target).to.equal(image.fingerprint);
        expect((await rest.images.getByAlias(remote.name, 'armos')).fingerprint).to.equal(
          image.fingerprint,
        );
      });

      it('orders long alias lists and picks among foreign architectures as Go sorts them', async function () {
        const other = { ...remote, name: `ssforeign${foreign.port}`, url: foreign.url };
        await sandbox.run([
          'remote',
          'add',
          other.name,
          foreign.url,
          '--protocol=simplestreams',
          '--public',
        ]);
        try {
          const listed = ImageAliasListSchema.parse(
            await cli(['image', 'alias', 'list', `${other.name}:`]),
          );
          expect(listed.length).to.be.greaterThan(500);
          expect(await rest.images.aliases.list(other.name)).to.deep.equal(listed);
          for (const ref of ['g0', 'g3', 'g7', 'g12', 'g5/1', 'g9/2']) {
            const shown = await sandbox.run(['image', 'info', `${other.name}:${ref}`]);
            const image = await rest.images.info(other.name, ref);
            expect(shown.stdout, ref).to.include(`Fingerprint: ${image.fingerprint}`);
          }
        } finally {
          await sandbox.run(['remote', 'remove', other.name]);
        }
      });

      it('spawns no process for any read of a new REST client, once it has read its remotes', async function () {
        const cold = createClient({ binary, env: sandbox.env, transport: 'rest' });
        await cold.remotes.list();
        const spawned = await countSpawns(async () => {
          await cold.images.list(remote.name);
          await cold.images.aliases.list(remote.name);
          await cold.images.info(remote.name, 'armos/3.0');
          await cold.images.getByAlias(remote.name, 'testos');
          await cold.images.exists(remote.name, 'nosuch');
          await cold.images.fingerprints(remote.name);
          await cold.images.aliases.info(remote.name, 'armos');
        });
        expect(spawned).to.equal(0);
        // the counter does see the CLI's process
        expect(
          await countSpawns(() => cli(['image', 'alias', 'list', `${remote.name}:`])),
        ).to.equal(1);
      });
    });
  }
});
