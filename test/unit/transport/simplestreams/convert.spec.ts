import { expect } from 'chai';
import { LxcError, NotFoundError } from '../../../../lib/wire/errors.js';
import { ImageAliasListSchema, ImageListSchema } from '../../../../lib/wire/schemas.js';
import type { Flavor } from '../../../../lib/transport/simplestreams/arch.js';
import { Catalog } from '../../../../lib/transport/simplestreams/catalog.js';
import { toImages } from '../../../../lib/transport/simplestreams/convert.js';
import { pickPrefix } from '../../../../lib/requests/pick.js';
import { listedAlias, resolveListed } from '../../../../lib/requests/public-aliases.js';
import type { Image, ImageAlias } from '../../../../lib/wire/schemas.js';
import { decodeProducts } from '../../../../lib/transport/simplestreams/products.js';
import { toAlias, toImage } from '../../../../lib/transport/simplestreams/shape.js';
import type { InfoCapture } from '../../../support/capture-simplestreams.js';
import { fixture, rejection } from '../../helpers.js';

// The fixtures: a tree (test/support/ss-tree.ts) and what lxc 5.0.2 and incus 6.0.4 printed
// for it on an x86_64 host (test/support/capture-simplestreams.ts).
const tree = (): unknown => JSON.parse(fixture('simplestreams/products.json'));
// The flavour each catalog was made for.
const flavorOf = new WeakMap<Catalog, Flavor>();
const catalogOf = (flavor: Flavor, machine = 'x86_64'): Catalog => {
  const catalog = new Catalog(toImages(decodeProducts(tree(), flavor), flavor), {
    flavor,
    machine,
    url: 'https://127.0.0.1:1',
  });
  flavorOf.set(catalog, flavor);
  return catalog;
};

// A catalog's listings, as a transport answers them: `image list` and `image alias list`.
function listings(catalog: Catalog, flavor: Flavor): { images: Image[]; aliases: ImageAlias[] } {
  const images = catalog.images.map((image) => toImage(image, flavor));
  return { images, aliases: catalog.aliasList().map(toAlias) };
}

// The library's one rule for a public remote (`resolveListed`), on a catalog's listings.
async function find(
  catalog: Catalog,
  query: { ref: string; type?: Image['type'] },
  prefix = true,
): Promise<Image> {
  const { images, aliases } = listings(catalog, flavorOf.get(catalog) ?? 'lxd');
  const found = await resolveListed({ images, aliases: () => aliases }, { ...query, prefix });
  if (found === undefined) throw new NotFoundError('Image not found');
  return typeof found === 'string' ? pickPrefix(images, found) : found;
}
const findImage = (catalog: Catalog, query: { ref: string; type?: Image['type'] }) =>
  find(catalog, query);
const findByAlias = (catalog: Catalog, query: { ref: string; type?: Image['type'] }) =>
  find(catalog, query, false);
async function findAlias(catalog: Catalog, query: { ref: string }): Promise<ImageAlias> {
  const alias = listedAlias(listings(catalog, flavorOf.get(catalog) ?? 'lxd').aliases, query.ref);
  if (!alias) throw new NotFoundError('Image alias not found');
  return Promise.resolve(alias);
}

// What `image info` would say for a capture's ref, in the capture's words.
async function outcome(catalog: Catalog, capture: InfoCapture): Promise<string> {
  try {
    const type = capture.vm ? 'virtual-machine' : undefined;
    return (await findImage(catalog, { ref: capture.ref, ...(type && { type }) })).fingerprint;
  } catch (error) {
    if (error instanceof NotFoundError)
      return "Failed getting image: The requested image couldn't be found";
    if (error instanceof LxcError)
      return 'Failed getting image: More than one match for the provided partial fingerprint';
    throw error;
  }
}

for (const flavor of ['lxd', 'incus'] as const) {
  const client = flavor === 'lxd' ? 'lxc 5.0.2' : 'incus 6.0.4';

  describe(`simplestreams conversion as ${client} does it`, () => {
    it('lists the same images, field by field and in the same order', () => {
      const expected = ImageListSchema.parse(
        JSON.parse(fixture(`simplestreams/image-list.${flavor}.json`)),
      );
      const images = catalogOf(flavor).images.map((image) => toImage(image, flavor));
      expect(images).to.have.length(20);
      expect(images).to.deep.equal(expected);
    });

    it('lists the same aliases, with the same targets and in the same order', () => {
      const expected = ImageAliasListSchema.parse(
        JSON.parse(fixture(`simplestreams/alias-list.${flavor}.json`)),
      );
      expect(catalogOf(flavor).aliasList().map(toAlias)).to.deep.equal(expected);
    });

    it('resolves every alias, prefix and fingerprint as `image info` (and `--vm`) does', async () => {
      const captures = JSON.parse(fixture(`simplestreams/info.${flavor}.json`)) as InfoCapture[];
      const catalog = catalogOf(flavor);
      expect(captures.length).to.be.greaterThan(100);
      for (const capture of captures) {
        expect(
          await outcome(catalog, capture),
          `${capture.ref}${capture.vm ? ' --vm' : ''}`,
        ).to.equal(capture.fingerprint ?? capture.error);
      }
    });

    it("finds an arm64 product's short alias on an x86_64 host", async () => {
      const catalog = catalogOf(flavor);
      const image = await findImage(catalog, { ref: 'armos/3.0' });
      expect(image.architecture).to.equal('aarch64');
      expect((await findByAlias(catalog, { ref: 'armos' })).fingerprint).to.equal(
        image.fingerprint,
      );
      expect((await findAlias(catalog, { ref: 'armos' })).target).to.equal(image.fingerprint);
      // the listing shows it under its medium aliases only, as the CLI does
      expect(image.aliases.map((alias) => alias.name)).to.deep.equal([
        'armos/3.0/arm64',
        'armos/arm64',
      ]);
    });

    it('prefers the host architecture, then its personality, on another host', async () => {
      const arm = catalogOf(flavor, 'aarch64');
      expect((await findImage(arm, { ref: 'testos' })).architecture).to.equal('aarch64');
      expect((await findImage(arm, { ref: 'multi' })).architecture).to.equal('aarch64');
      expect((await findImage(arm, { ref: 'pers' })).architecture).to.not.equal('aarch64');
      const x86 = catalogOf(flavor);
      expect((await findImage(x86, { ref: 'pers' })).architecture).to.equal('i686');
    });

    it('takes `container` as lxc takes no --vm: the container alias, else the VM one', async () => {
      const catalog = catalogOf(flavor);
      const vm = await findImage(catalog, { ref: 'vmonly', type: 'container' });
      expect(vm.type).to.equal('virtual-machine');
      expect((await findImage(catalog, { ref: 'vmos', type: 'container' })).type).to.equal(
        'container',
      );
      expect((await findImage(catalog, { ref: 'vmos', type: 'virtual-machine' })).type).to.equal(
        'virtual-machine',
      );
      // the CLI transport picks the same targets out of the alias list
      const listed = catalog.aliasList().map(toAlias);
      expect(listedAlias(listed, 'vmonly', 'container')?.target).to.equal(vm.fingerprint);
      expect(listedAlias(listed, 'testos', 'virtual-machine')).to.equal(undefined);
    });

    it('rejects a missing alias and an ambiguous prefix as the CLI path does', async () => {
      const catalog = catalogOf(flavor);
      expect(await rejection(findByAlias(catalog, { ref: 'nosuch' })))
        .to.be.instanceOf(NotFoundError)
        .with.property('message')
        .that.includes('Image not found');
      expect(await rejection(findAlias(catalog, { ref: 'nosuch' })))
        .to.be.instanceOf(NotFoundError)
        .with.property('message')
        .that.includes('Image alias not found');
      expect(await rejection(findImage(catalog, { ref: '0' })))
        .to.be.instanceOf(LxcError)
        .with.property('message')
        .that.includes('More than one image matches');
      expect(
        await rejection(findByAlias(catalog, { ref: 'testos', type: 'virtual-machine' })),
      ).to.be.instanceOf(NotFoundError);
    });
  });
}
