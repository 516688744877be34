import { expect } from 'chai';
import { F0, fixture } from '../helpers.js';
import {
  expiryValue,
  imageWriteRequest,
  mergeOverCurrent,
  replaceChange,
  updateChange,
} from '../../../lib/requests/write.js';
import { type Image, ImageSchema } from '../../../lib/wire/schemas.js';

// The fixture image, edited: other profiles, public, auto-updating, expiring.
const CURRENT: Image = ImageSchema.parse({
  ...(JSON.parse(fixture('image.lxd.json')) as object),
  profiles: ['other'],
  public: true,
  auto_update: true,
  expires_at: '2030-01-02T03:04:05Z',
});
const NEVER: Image = ImageSchema.parse(JSON.parse(fixture('image.lxd.json')));

describe('expiryValue', () => {
  it('sends a Date or a date string as RFC 3339 in UTC', () => {
    expect(expiryValue(new Date('2031-05-06T07:08:09Z'))).to.equal('2031-05-06T07:08:09.000Z');
    expect(expiryValue('2031-05-06T09:08:09+02:00')).to.equal('2031-05-06T07:08:09.000Z');
  });

  // a zero time (0001) would keep the old expiry
  it('sends "never" (null) as the Unix epoch', () => {
    expect(expiryValue(null)).to.equal('1970-01-01T00:00:00Z');
  });
});

describe('mergeOverCurrent', () => {
  it('fills in every writable field from the current image, changed by the given ones', () => {
    expect(mergeOverCurrent(CURRENT, { public: false })).to.deep.equal({
      auto_update: true,
      public: false,
      profiles: ['other'],
      expires_at: '2030-01-02T03:04:05.000Z',
      properties: { description: 'Test image 0', os: 'testos', release: '1.0' },
    });
  });

  it('keeps "never expires" with the zero time', () => {
    expect(mergeOverCurrent(NEVER, {})).to.include({ expires_at: '0001-01-01T00:00:00Z' });
  });
});

describe('replaceChange', () => {
  it('is a PUT over the current values', () => {
    expect(replaceChange({ properties: { a: 'b' } })(CURRENT)).to.deep.equal({
      method: 'PUT',
      body: { ...mergeOverCurrent(CURRENT, {}), properties: { a: 'b' } },
    });
  });
});

describe('updateChange', () => {
  it('is a PATCH of the patch alone when it has neither profiles nor expires_at', () => {
    const patch = { public: false, properties: { c: 'd' } };
    expect(updateChange(patch)(CURRENT)).to.deep.equal({ method: 'PATCH', body: patch });
  });

  it('turns a patch with profiles into a PUT of the merged values', () => {
    expect(updateChange({ profiles: ['x'], properties: { c: 'd' } })(CURRENT)).to.deep.equal({
      method: 'PUT',
      body: {
        ...mergeOverCurrent(CURRENT, {}),
        profiles: ['x'],
        properties: { description: 'Test image 0', os: 'testos', release: '1.0', c: 'd' },
      },
    });
  });

  it('turns a patch with expires_at into a PUT that keeps the current properties', () => {
    const change = updateChange({ expires_at: '1970-01-01T00:00:00Z' })(CURRENT);
    expect(change.method).to.equal('PUT');
    expect(change.body).to.include({ expires_at: '1970-01-01T00:00:00Z', public: true });
    expect(change.body.properties).to.deep.equal(CURRENT.properties);
  });
});

describe('imageWriteRequest', () => {
  it('sends the body to /1.0/images/<fp> with the ETag', () => {
    expect(imageWriteRequest('PATCH', F0, { public: true }, '"e"')).to.deep.include({
      method: 'PATCH',
      path: `/1.0/images/${F0}`,
      body: { public: true },
      etag: '"e"',
    });
  });
});
