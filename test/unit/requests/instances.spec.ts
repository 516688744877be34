import { expect } from 'chai';
import { thrown } from '../helpers.js';
import { imageProperties, publishRequest } from '../../../lib/requests/instances.js';
import {
  checkPublishFlags,
  checkPublishSource,
  COMPRESSION,
} from '../../../lib/wire/checks-publish.js';
import { ValidationError } from '../../../lib/wire/errors.js';

describe('publish requests', () => {
  it('takes an instance or instance/snapshot, and refuses anything else', () => {
    expect(checkPublishSource('c1')).to.deep.equal({ instance: 'c1' });
    expect(checkPublishSource('web-01/snap.0_x')).to.deep.equal({
      instance: 'web-01',
      snapshot: 'snap.0_x',
    });
  });

  it('refuses empty, flag-like, NUL-holding and three-part sources', () => {
    for (const bad of [
      '',
      '-c1',
      '--all',
      'c\u00001',
      'a/b/c',
      'c1/',
      '/s',
      'c1/-s',
      'c1/s 0',
      'c_1',
      42,
    ])
      expect(
        thrown(() => checkPublishSource(bad)),
        String(bad),
      )
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'source');
  });

  it('allows the nine compressors, each with an optional -1…-9, and nothing else', () => {
    const names = ['none', 'gzip', 'bzip2', 'lzma', 'xz', 'zstd', 'pigz', 'pzstd', 'squashfs'];
    for (const name of names) {
      expect(COMPRESSION.test(name)).to.equal(true);
      for (let level = 1; level <= 9; level++)
        expect(COMPRESSION.test(`${name} -${level}`)).to.equal(true);
    }
    for (const bad of [
      'lz4',
      'gzip -0',
      'gzip -10',
      'gzip  -1',
      'gzip -1 -2',
      'xz --rsyncable',
      'GZIP',
      ' xz',
      'xz ',
      'gzip;id',
      '',
    ])
      expect(
        thrown(() => checkPublishFlags({ compression: bad })),
        bad,
      )
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'compression');
  });

  it('takes expiresAt as a valid Date or null', () => {
    expect(checkPublishFlags({ expiresAt: null }).expiresAt).to.equal(undefined);
    const when = new Date('2031-01-01T00:00:00Z');
    expect(checkPublishFlags({ expiresAt: when }).expiresAt).to.equal(when);
    for (const bad of [new Date('nope'), '2031-01-01', 0])
      expect(thrown(() => checkPublishFlags({ expiresAt: bad as Date })))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'expiresAt');
  });

  it('builds POST /1.0/images with the source, and properties only when given', () => {
    const source = { instance: 'c1', snapshot: 's0' };
    const checked = checkPublishFlags({
      public: true,
      properties: { a: 'b' },
      compression: 'xz -9',
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    });
    expect(publishRequest(source, checked).body).to.deep.equal({
      source: { type: 'snapshot', name: 'c1/s0' },
      public: true,
      properties: { a: 'b' },
      expires_at: '2031-01-01T00:00:00.000Z',
      compression_algorithm: 'xz -9',
    });
    expect(publishRequest({ instance: 'c1' }, checkPublishFlags({})).body).to.deep.equal({
      source: { type: 'instance', name: 'c1' },
      public: false,
    });
  });

  it("reads an instance image's properties from its image.* keys", () => {
    expect(
      imageProperties({ 'image.os': 'a', 'image.x.y': 'b', 'volatile.base_image': 'c' }),
    ).to.deep.equal({
      os: 'a',
      'x.y': 'b',
    });
  });
});
