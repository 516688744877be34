import { expect } from 'chai';
import { LxcError, NotFoundError } from '../../lib/errors.js';
import { ImageAliasListSchema, ImageListSchema, type Remote } from '../../lib/schemas.js';
import { SimplestreamsReader } from '../../lib/simplestreams/reader.js';
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

const signal = (): AbortSignal => new AbortController().signal;

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
      const flavor = binary === 'lxc' ? 'lxd' : 'incus';
      let sandbox: Sandbox;
      let reader: SimplestreamsReader;
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
        reader = new SimplestreamsReader({ flavor, env: sandbox.env });
      });

      after(async function () {
        reader.close();
        await sandbox.run(['remote', 'remove', remote.name]);
      });

      it('lists the same images, field by field and in the same order', async function () {
        const expected = ImageListSchema.parse(await cli(['image', 'list', `${remote.name}:`]));
        expect(expected).to.have.length(20);
        expect(await reader.images(remote, signal())).to.deep.equal(expected);
        const fingerprints = expected.map((image) => image.fingerprint);
        expect(await reader.fingerprints(remote, signal())).to.deep.equal(fingerprints);
      });

      it('lists the same aliases, with the same targets and in the same order', async function () {
        const expected = ImageAliasListSchema.parse(
          await cli(['image', 'alias', 'list', `${remote.name}:`]),
        );
        expect(expected.length).to.be.greaterThan(40);
        expect(await reader.aliases(remote, signal())).to.deep.equal(expected);
      });

      it('resolves aliases, prefixes and fingerprints as `image info` (and `--vm`) does', async function () {
        const images = await reader.images(remote, signal());
        const refs = [...REFS, ...images.slice(0, 3).map((i) => i.fingerprint.slice(0, 8)), '1'];
        for (const ref of refs) {
          for (const vm of [false, true]) {
            const args = ['image', 'info', `${remote.name}:${ref}`, ...(vm ? ['--vm'] : [])];
            const theirs = await sandbox
              .run(args)
              .then((r) => /^Fingerprint: (\S+)$/m.exec(r.stdout)?.[1], outcome);
            const type = vm ? 'virtual-machine' : undefined;
            const ours = await reader
              .image(remote, { ref, type }, signal())
              .then((image) => image.fingerprint, outcome);
            expect(ours, `${ref}${vm ? ' --vm' : ''}`).to.equal(theirs);
          }
        }
      });

      it("finds an arm64 product's short alias on this x86_64 host, as lxc does", async function () {
        const shown = await sandbox.run(['image', 'info', `${remote.name}:armos/3.0`]);
        const image = await reader.image(remote, { ref: 'armos/3.0' }, signal());
        expect(shown.stdout).to.include(`Fingerprint: ${image.fingerprint}`);
        expect(image.architecture).to.equal('aarch64');
        const alias = await reader.alias(remote, { ref: 'armos' }, signal());
        expect(alias.target).to.equal(image.fingerprint);
        expect((await reader.byAlias(remote, { ref: 'armos' }, signal())).fingerprint).to.equal(
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
          expect(await reader.aliases(other, signal())).to.deep.equal(listed);
          for (const ref of ['g0', 'g3', 'g7', 'g12', 'g5/1', 'g9/2']) {
            const shown = await sandbox.run(['image', 'info', `${other.name}:${ref}`]);
            const image = await reader.image(other, { ref }, signal());
            expect(shown.stdout, ref).to.include(`Fingerprint: ${image.fingerprint}`);
          }
        } finally {
          await sandbox.run(['remote', 'remove', other.name]);
        }
      });

      it('spawns no process for any read, from a cold start', async function () {
        const cold = new SimplestreamsReader({ flavor, env: sandbox.env, freshMs: 0 });
        const spawned = await countSpawns(async () => {
          await cold.images(remote, signal());
          await cold.aliases(remote, signal());
          await cold.image(remote, { ref: 'armos/3.0' }, signal());
          await cold.byAlias(remote, { ref: 'testos' }, signal());
          await cold.fingerprints(remote, signal());
        });
        cold.close();
        expect(spawned).to.equal(0);
        // the counter does see the CLI's process
        expect(
          await countSpawns(() => cli(['image', 'alias', 'list', `${remote.name}:`])),
        ).to.equal(1);
      });
    });
  }
});
