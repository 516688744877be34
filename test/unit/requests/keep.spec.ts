import { expect } from 'chai';
import { keepAround } from '../../../lib/requests/keep.js';
import { planPrune } from '../../../lib/requests/retention.js';
import { ImageSchema, type Image } from '../../../lib/wire/schemas.js';
import { fp, rawImage } from '../retention-fakes.js';

const PRODUCT = { os: 'alpine', release: '3.19', variant: 'default', architecture: 'amd64' };

// An image of the product, built on `day` of January.
function built(d: string, day: number, properties: Record<string, string> = PRODUCT): Image {
  const created = `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`;
  return ImageSchema.parse(rawImage(d, { created_at: created, properties, project: 'default' }));
}

// The fingerprints a plan deletes.
function deleted(images: Image[], ensured: Image, keep: number): string[] {
  const rules = keepAround(ensured, keep);
  return planPrune({ images, usage: [], rules, now: new Date() }).deleted.map((i) => i.fingerprint);
}

describe('the keep rule of ensure and sync', () => {
  it('keeps the ensured image as one of the newest and deletes older ones of its product only', () => {
    const newest = built('1', 4);
    const images = [newest, built('2', 3), built('3', 2), built('4', 1, { os: 'other' })];
    expect(deleted(images, newest, 2)).to.deep.equal([fp('3')]);
    expect(deleted(images, newest, 1)).to.deep.equal([fp('2'), fp('3')]);
  });

  it('never deletes the ensured image, even when it is older (a rollback)', () => {
    const oldest = built('3', 2);
    const images = [built('1', 4), built('2', 3), oldest];
    expect(deleted(images, oldest, 2)).to.deep.equal([fp('2')]);
    expect(deleted(images, oldest, 1)).to.deep.equal([fp('1'), fp('2')]);
  });
});
