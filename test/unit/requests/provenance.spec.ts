import { expect } from 'chai';
import { F0, F1, fixture } from '../helpers.js';
import { ImageSchema, type Image } from '../../../lib/wire/schemas.js';
import {
  PROVENANCE,
  publishedFrom,
  snapshotProvenance,
  snapshotRequest,
} from '../../../lib/requests/provenance.js';

// A fixture image stamped with `source`, uploaded at `at`.
function stamped(fingerprint: string, source: string, at: string): Image {
  const raw = JSON.parse(fixture('image.lxd.json')) as Record<string, unknown>;
  return ImageSchema.parse({
    ...raw,
    fingerprint,
    uploaded_at: at,
    properties: { os: 'x', [PROVENANCE]: source },
  });
}

describe('the provenance of a published snapshot', () => {
  it('reads the snapshot by its encoded path', () => {
    expect(snapshotRequest('c1', 'snap 0').path).to.equal('/1.0/instances/c1/snapshots/snap%200');
  });

  it('names a snapshot by its instance, name and creation time', () => {
    const snap = { name: 'snap0', created_at: '2026-11-30T10:00:00.5Z', config: {} };
    expect(snapshotProvenance('c1', snap)).to.equal('c1/snap0@2026-11-30T10:00:00.5Z');
  });

  it('finds the newest image stamped with it, and none for another snapshot', () => {
    const images = [
      stamped(F0, 'c1/snap0@t1', '2026-01-01T00:00:00Z'),
      stamped(F1, 'c1/snap0@t1', '2026-02-01T00:00:00Z'),
      stamped(F0, 'c1/snap0@t2', '2026-03-01T00:00:00Z'),
    ];
    expect(publishedFrom(images, 'c1/snap0@t1')?.fingerprint).to.equal(F1);
    expect(publishedFrom(images, 'c2/snap0@t1')).to.equal(undefined);
  });
});
