import { expect } from 'chai';
import { F0, F1, fixture } from '../helpers.js';
import { applyFilters, matchesFilter } from '../../../lib/requests/list-filter.js';
import { type Image, ImageListSchema, ImageSchema } from '../../../lib/wire/schemas.js';

const IMAGES = ImageListSchema.parse(JSON.parse(fixture('image-list.lxd.json')));
const IMAGE = ImageSchema.parse(JSON.parse(fixture('image.lxd.json')));

describe('matchesFilter', () => {
  const image: Image = {
    ...IMAGE,
    properties: { os: 'Alpine', release: '3.19', 'architecture.bits': '64', description: 'x y' },
  };

  it('matches a property value as an anchored regular expression', () => {
    expect(matchesFilter(image, 'os=Alpine')).to.equal(true);
    expect(matchesFilter(image, 'os=Alp')).to.equal(false);
    expect(matchesFilter(image, 'os=Alp.*')).to.equal(true);
    expect(matchesFilter(image, 'release=3.1.')).to.equal(true);
  });

  it('leaves a pattern with ^ or $ anchored as written', () => {
    expect(matchesFilter(image, 'os=^Alp')).to.equal(true);
    expect(matchesFilter(image, 'os=ine$')).to.equal(true);
    expect(matchesFilter(image, 'os=^lp')).to.equal(false);
  });

  it('compares a value that is no regular expression as plain text', () => {
    const odd: Image = { ...image, properties: { os: 'a(b' } };
    expect(matchesFilter(odd, 'os=a(b')).to.equal(true);
    expect(matchesFilter(odd, 'os=a(c')).to.equal(false);
  });

  it('takes a key as dot-separated prefixes of a property key', () => {
    expect(matchesFilter(image, 'a.b=64')).to.equal(true);
    expect(matchesFilter(image, 'rel=3.19')).to.equal(true);
    expect(matchesFilter(image, 'a=64')).to.equal(false);
    expect(matchesFilter(image, 'architecture.bits.x=64')).to.equal(false);
  });

  it('matches the top-level fields as text', () => {
    expect(matchesFilter(image, 'type=container')).to.equal(true);
    expect(matchesFilter(image, 'public=false')).to.equal(true);
    expect(matchesFilter(image, 'architecture=x86_64')).to.equal(true);
    expect(matchesFilter(image, 'type=virtual-machine')).to.equal(false);
  });

  it('matches a word that is part of an alias or of the fingerprint', () => {
    expect(matchesFilter(image, 'zz')).to.equal(true);
    expect(matchesFilter(image, 'q r')).to.equal(true);
    expect(matchesFilter(image, F0.slice(0, 8))).to.equal(true);
    expect(matchesFilter(image, F0.slice(10, 20))).to.equal(true);
    expect(matchesFilter(image, 'nosuch')).to.equal(false);
  });
});

describe('applyFilters', () => {
  it('keeps the images that pass every filter', () => {
    expect(
      applyFilters(IMAGES, ['os=testos', 'release=1.1']).map((i) => i.fingerprint),
    ).to.deep.equal([F1]);
    expect(applyFilters(IMAGES, [])).to.equal(IMAGES);
  });
});
