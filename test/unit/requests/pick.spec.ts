import { expect } from 'chai';
import { F0, F1, fixture, thrown } from '../helpers.js';
import { pickImage } from '../../../lib/requests/pick.js';
import { LxcError, NotFoundError } from '../../../lib/wire/errors.js';
import { type Image, ImageListSchema, ImageSchema } from '../../../lib/wire/schemas.js';

const IMAGES = ImageListSchema.parse(JSON.parse(fixture('image-list.lxd.json')));
const IMAGE = ImageSchema.parse(JSON.parse(fixture('image.lxd.json')));

describe('pickImage', () => {
  it('picks by alias first, then by a unique fingerprint prefix (any case)', () => {
    expect(pickImage(IMAGES, 't0').fingerprint).to.equal(F1);
    expect(pickImage(IMAGES, 'A50C').fingerprint).to.equal(F0);
  });

  it('prefers the image of the asked type among images sharing an alias', () => {
    const vm: Image = { ...IMAGE, fingerprint: F1, type: 'virtual-machine' };
    expect(pickImage([IMAGE, vm], 'a', 'r', 'virtual-machine').fingerprint).to.equal(F1);
    expect(pickImage([vm, IMAGE], 'a').fingerprint).to.equal(F0);
  });

  it('throws a plain LxcError for an ambiguous prefix and NotFoundError for no match', () => {
    const ambiguous = thrown(() => pickImage(IMAGES, '1', 'r'));
    expect(ambiguous).to.be.instanceOf(LxcError).and.not.be.instanceOf(NotFoundError);
    expect(thrown(() => pickImage(IMAGES, 'nosuch', 'r')))
      .to.be.instanceOf(NotFoundError)
      .with.property('remote', 'r');
  });
});
