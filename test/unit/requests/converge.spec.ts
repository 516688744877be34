import { expect } from 'chai';
import { F0, fixture } from '../helpers.js';
import { ImageSchema, type Image } from '../../../lib/wire/schemas.js';
import { convergeGuard, convergedBody, differences } from '../../../lib/requests/converge.js';

// The fixture image (public false, profiles [default], never expires), with some fields changed.
function image(fields: Record<string, unknown> = {}): Image {
  return ImageSchema.parse({ ...(JSON.parse(fixture('image.lxd.json')) as object), ...fields });
}

describe('the converge rule', () => {
  it('finds no difference when every asked field is as it is', () => {
    const current = image({ expires_at: '2030-01-01T00:00:00.123456Z' });
    const desired = {
      properties: { os: 'testos' },
      public: false,
      autoUpdate: false,
      profiles: ['default'],
      expiresAt: new Date('2030-01-01T00:00:00Z'),
    };
    expect(differences(current, desired)).to.deep.equal([]);
    expect(differences(image(), { expiresAt: null })).to.deep.equal([]);
    expect(differences(image(), {})).to.deep.equal([]);
  });

  it('names each field that differs, by its LXD name', () => {
    const desired = {
      properties: { os: 'other' },
      public: true,
      autoUpdate: true,
      profiles: ['web', 'default'],
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    };
    expect(differences(image(), desired)).to.deep.equal([
      'properties',
      'public',
      'auto_update',
      'profiles',
      'expires_at',
    ]);
    const expiring = image({ expires_at: '2031-01-01T00:00:00Z' });
    expect(differences(expiring, { expiresAt: null })).to.deep.equal(['expires_at']);
  });

  it('merges properties over the image own and keeps the fields not asked', () => {
    const body = convergedBody(image(), { properties: { owner: 'ops' }, public: true });
    expect(body).to.deep.equal({
      auto_update: false,
      public: true,
      profiles: ['default'],
      expires_at: '0001-01-01T00:00:00Z',
      properties: { description: 'Test image 0', os: 'testos', release: '1.0', owner: 'ops' },
    });
    expect(convergedBody(image(), { expiresAt: null })).to.include({
      expires_at: '1970-01-01T00:00:00Z',
    });
  });

  it('guards one PUT with the ETag it read, and writes nothing when nothing differs', () => {
    const guard = convergeGuard(F0, { public: true });
    expect(guard.key).to.equal(`image ${F0}`);
    expect(guard.read.path).to.equal(`/1.0/images/${F0}`);
    const put = guard.write(image(), '"e1"');
    expect(put).to.include({ method: 'PUT', path: `/1.0/images/${F0}`, etag: '"e1"' });
    expect(guard.write(image({ public: true }), '"e2"')).to.equal(undefined);
  });
});
