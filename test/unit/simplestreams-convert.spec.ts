import { expect } from 'chai';
import { LxcError, NotFoundError } from '../../lib/errors.js';
import { ImageAliasListSchema, ImageListSchema } from '../../lib/schemas.js';
import type { Flavor } from '../../lib/simplestreams/arch.js';
import { Catalog } from '../../lib/simplestreams/catalog.js';
import { toImages } from '../../lib/simplestreams/convert.js';
import { findAlias, findByAlias, findImage } from '../../lib/simplestreams/find.js';
import { listedAlias } from '../../lib/requests/public-aliases.js';
import { decodeProducts } from '../../lib/simplestreams/products.js';
import { toAlias, toImage } from '../../lib/simplestreams/shape.js';
import type { InfoCapture } from '../support/capture-simplestreams.js';
import { fixture } from './helpers.js';

// The fixtures: a tree (test/support/ss-tree.ts) and what lxc 5.0.2 and incus 6.0.4 printed
// for it on an x86_64 host (test/support/capture-simplestreams.ts).
const tree = (): unknown => JSON.parse(fixture('simplestreams/products.json'));
const catalogOf = (flavor: Flavor, machine = 'x86_64'): Catalog =>
  new Catalog(toImages(decodeProducts(tree(), flavor), flavor), {
    flavor,
    machine,
    url: 'https://127.0.0.1:1',
  });

// What `image info` would say for a capture's ref, in the capture's words.
function outcome(catalog: Catalog, capture: InfoCapture): string {
  try {
    const type = capture.vm ? 'virtual-machine' : undefined;
    return findImage(catalog, { ref: capture.ref, type }, 'ss').fingerprint;
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

    it('resolves every alias, prefix and fingerprint as `image info` (and `--vm`) does', () => {
      const captures = JSON.parse(fixture(`simplestreams/info.${flavor}.json`)) as InfoCapture[];
      const catalog = catalogOf(flavor);
      expect(captures.length).to.be.greaterThan(100);
      for (const capture of captures) {
        expect(outcome(catalog, capture), `${capture.ref}${capture.vm ? ' --vm' : ''}`).to.equal(
          capture.fingerprint ?? capture.error,
        );
      }
    });

    it("finds an arm64 product's short alias on an x86_64 host", () => {
      const catalog = catalogOf(flavor);
      const image = findImage(catalog, { ref: 'armos/3.0' }, 'ss');
      expect(image.architecture).to.equal('aarch64');
      expect(findByAlias(catalog, { ref: 'armos' }, 'ss').fingerprint).to.equal(image.fingerprint);
      expect(findAlias(catalog, { ref: 'armos' }, 'ss').target).to.equal(image.fingerprint);
      // the listing shows it under its medium aliases only, as the CLI does
      expect(image.aliases).to.deep.equal(['armos/3.0/arm64', 'armos/arm64']);
    });

    it('prefers the host architecture, then its personality, on another host', () => {
      const arm = catalogOf(flavor, 'aarch64');
      expect(findImage(arm, { ref: 'testos' }, 'ss').architecture).to.equal('aarch64');
      expect(findImage(arm, { ref: 'multi' }, 'ss').architecture).to.equal('aarch64');
      expect(findImage(arm, { ref: 'pers' }, 'ss').architecture).to.not.equal('aarch64');
      const x86 = catalogOf(flavor);
      expect(findImage(x86, { ref: 'pers' }, 'ss').architecture).to.equal('i686');
    });

    it('takes `container` as lxc takes no --vm: the container alias, else the VM one', () => {
      const catalog = catalogOf(flavor);
      const vm = findImage(catalog, { ref: 'vmonly', type: 'container' }, 'ss');
      expect(vm.type).to.equal('virtual-machine');
      expect(findImage(catalog, { ref: 'vmos', type: 'container' }, 'ss').type).to.equal(
        'container',
      );
      expect(findImage(catalog, { ref: 'vmos', type: 'virtual-machine' }, 'ss').type).to.equal(
        'virtual-machine',
      );
      // the CLI transport picks the same targets out of the alias list
      const listed = catalog.aliasList().map(toAlias);
      expect(listedAlias(listed, 'vmonly', 'container')?.target).to.equal(vm.fingerprint);
      expect(listedAlias(listed, 'testos', 'virtual-machine')).to.equal(undefined);
    });

    it('rejects a missing alias and an ambiguous prefix as the CLI path does', () => {
      const catalog = catalogOf(flavor);
      expect(() => findByAlias(catalog, { ref: 'nosuch' }, 'ss')).to.throw(
        NotFoundError,
        'Image not found',
      );
      expect(() => findAlias(catalog, { ref: 'nosuch' }, 'ss')).to.throw(
        NotFoundError,
        'Image alias not found',
      );
      expect(() => findImage(catalog, { ref: '0' }, 'ss')).to.throw(
        LxcError,
        'More than one image matches',
      );
      expect(() => findByAlias(catalog, { ref: 'testos', type: 'virtual-machine' }, 'ss')).to.throw(
        NotFoundError,
      );
    });
  });
}
