import { expect } from 'chai';
import { fixture } from '../helpers.js';
import {
  beyondNewest,
  inUse,
  newestFirst,
  planPrune,
  productOf,
  sameProduct,
  type PruneRules,
} from '../../../lib/requests/retention.js';
import { usageOf, type ImageUsage } from '../../../lib/requests/usage.js';
import { ImageSchema, type Image } from '../../../lib/wire/schemas.js';

const BASE = ImageSchema.parse(JSON.parse(fixture('image.lxd.json')));
const PRODUCT = { os: 'alpine', release: '3.19', variant: 'default', architecture: 'amd64' };
const NOW = new Date('2026-12-01T00:00:00Z');
const DAY = 86_400_000;

// An image with fingerprint `n` repeated (hex digit), in project default, unused, never expiring.
function image(n: string, fields: Partial<Image> = {}): Image {
  return {
    ...BASE,
    fingerprint: n.repeat(64),
    project: 'default',
    aliases: [],
    cached: false,
    properties: PRODUCT,
    expires_at: null,
    last_used_at: null,
    uploaded_at: new Date(NOW.getTime() - 10 * DAY),
    created_at: new Date('2026-01-01T00:00:00Z'),
    ...fields,
  };
}

const RULES: PruneRules = { expired: false, unusedFor: undefined, keep: undefined, cached: false };
// The plan of `rules` over `images`, with no instance using any.
function plan(images: Image[], rules: Partial<PruneRules>, usage?: ImageUsage[]) {
  const used = usage ?? usageOf({ images, instances: [], projects: [] });
  const result = planPrune({ images, usage: used, rules: { ...RULES, ...rules }, now: NOW });
  return {
    deleted: result.deleted.map((i) => i.fingerprint.charAt(0)),
    kept: Object.fromEntries(result.kept.map((k) => [k.fingerprint.charAt(0), k.reason])),
  };
}

describe('retention rules', () => {
  it('a product is the type and the four properties; missing or empty ones give none', () => {
    expect(productOf(image('a'))).to.be.a('string');
    expect(productOf(image('a'))).to.equal(productOf(image('b')));
    expect(productOf(image('a', { type: 'virtual-machine' }))).to.not.equal(productOf(image('a')));
    // read by `info` (LXD names no project) or listed in a project: the same product
    expect(productOf(image('a', { project: undefined }))).to.equal(
      productOf(image('b', { project: 'p' })),
    );
    for (const key of Object.keys(PRODUCT)) {
      const rest = Object.fromEntries(Object.entries(PRODUCT).filter(([k]) => k !== key));
      expect(productOf(image('a', { properties: rest })), key).to.equal(undefined);
      expect(productOf(image('a', { properties: { ...rest, [key]: '' } })), key).to.equal(
        undefined,
      );
    }
    expect(sameProduct(image('a'))(image('b'))).to.equal(true);
    expect(sameProduct(image('a', { properties: {} }))(image('b', { properties: {} }))).to.equal(
      false,
    );
  });

  it('newest is by created_at, then uploaded_at, then fingerprint; null is oldest', () => {
    const old = image('1', { created_at: new Date('2025-01-01') });
    const late = image('2', { uploaded_at: new Date(NOW.getTime() - DAY) });
    const same = image('3');
    const tie = image('4');
    const none = image('5', { created_at: null });
    const order = [none, tie, old, same, late].sort(newestFirst).map((i) => i.fingerprint[0]);
    expect(order).to.deep.equal(['2', '3', '4', '1', '5']);
  });

  it('beyondNewest keeps the newest n of each product and leaves images without one out', () => {
    const images = [
      image('1', { created_at: new Date('2026-01-01') }),
      image('2', { created_at: new Date('2026-02-01') }),
      image('3', { created_at: new Date('2026-03-01') }),
      image('4', {
        created_at: new Date('2025-01-01'),
        properties: { ...PRODUCT, release: '3.18' },
      }),
      image('5', { properties: {} }),
    ];
    expect(beyondNewest(images, 1).map((i) => i.fingerprint[0])).to.deep.equal(['2', '1']);
    expect(beyondNewest(images, 2).map((i) => i.fingerprint[0])).to.deep.equal(['1']);
    const elsewhere = image('6', { project: 'p', created_at: new Date('2027-01-01') });
    expect(beyondNewest([...images, elsewhere], 2).map((i) => i.fingerprint[0])).to.deep.equal([
      '1',
    ]);
  });

  it('inUse names the aliases and the users', () => {
    const use = (aliases: string[], instances: string[]): ImageUsage => ({
      fingerprint: 'f',
      project: 'default',
      aliases,
      instances,
      cached: false,
      lastUsedAt: null,
    });
    expect(inUse(use([], []))).to.equal(undefined);
    expect(inUse(use(['x'], []))).to.equal('alias x');
    expect(inUse(use(['x', 'y'], ['c1', 'c1/snap0']))).to.equal(
      'aliases x, y; used by c1, c1/snap0',
    );
  });

  it('expired: an expires_at at or before now', () => {
    const images = [
      image('1', { expires_at: new Date(NOW.getTime() - 1) }),
      image('2', { expires_at: new Date(NOW.getTime() + DAY) }),
      image('3'),
    ];
    expect(plan(images, { expired: true })).to.deep.equal({
      deleted: ['1'],
      kept: { 2: 'not expired', 3: 'never expires' },
    });
  });

  it('unusedFor: since last_used_at, or uploaded_at for an image never used', () => {
    const images = [
      image('1', { last_used_at: new Date(NOW.getTime() - 3 * DAY) }),
      image('2', { last_used_at: new Date(NOW.getTime() - DAY) }),
      image('3'), // uploaded 10 days ago, never used
      image('4', { uploaded_at: null }),
    ];
    expect(plan(images, { unusedFor: 2 * DAY })).to.deep.equal({
      deleted: ['1', '3'],
      kept: { 2: 'used recently', 4: 'no use or upload time' },
    });
    expect(plan(images, { unusedFor: 0 }).deleted).to.deep.equal(['1', '2', '3']);
  });

  it('keep: the newest n per product; no product is never pruned by keep', () => {
    const images = [
      image('1', { created_at: new Date('2026-01-01') }),
      image('2', { created_at: new Date('2026-02-01') }),
      image('3', { created_at: new Date('2026-03-01') }),
      image('4', { properties: { os: 'alpine' } }),
    ];
    expect(plan(images, { keep: 2 })).to.deep.equal({
      deleted: ['1'],
      kept: { 2: 'newest 2 of its product', 3: 'newest 2 of its product', 4: 'no product' },
    });
  });

  it('any criterion selects; an image selected by none says why for each', () => {
    const images = [
      image('1', { created_at: new Date('2026-01-01'), last_used_at: NOW }),
      image('2', {
        created_at: new Date('2026-02-01'),
        expires_at: new Date(NOW.getTime() - 1),
        last_used_at: NOW,
      }),
      image('3', { created_at: new Date('2026-03-01'), last_used_at: NOW }),
    ];
    expect(plan(images, { expired: true, unusedFor: DAY, keep: 2 })).to.deep.equal({
      deleted: ['1', '2'],
      kept: { 3: 'never expires, used recently, newest 2 of its product' },
    });
  });

  it('never an image in use: kept with the alias or the users, even when selected', () => {
    const images = [
      image('1', { aliases: [{ name: 'web', description: '' }] }),
      image('2'),
      image('3'),
    ];
    const instances = [
      {
        name: 'c1',
        project: 'default',
        config: {},
        snapshots: [{ name: 'snap0', config: { 'volatile.base_image': '2'.repeat(64) } }],
      },
    ];
    const usage = usageOf({ images, instances, projects: [{ name: 'default' }] });
    expect(plan(images, { unusedFor: 0 }, usage)).to.deep.equal({
      deleted: ['3'],
      kept: { 1: 'alias web', 2: 'used by c1/snap0' },
    });
  });

  it('cached images only with cached: true, and outside the keep ranking without it', () => {
    const images = [
      image('1', { cached: true, created_at: new Date('2026-06-01') }),
      image('2', { created_at: new Date('2026-01-01') }),
    ];
    expect(plan(images, { keep: 1 })).to.deep.equal({
      deleted: [],
      kept: { 1: 'cached', 2: 'newest 1 of its product' },
    });
    expect(plan(images, { keep: 1, cached: true })).to.deep.equal({
      deleted: ['2'],
      kept: { 1: 'newest 1 of its product' },
    });
  });

  it('only: the other images are out of the plan and out of the ranking', () => {
    const other = { ...PRODUCT, release: '3.18' };
    const images = [
      image('1', { created_at: new Date('2026-01-01') }),
      image('2', { created_at: new Date('2026-02-01') }),
      image('3', { created_at: new Date('2025-01-01'), properties: other }),
      image('4', { created_at: new Date('2024-01-01'), properties: other }),
    ];
    const only = sameProduct(image('9'));
    expect(plan(images, { keep: 1, only })).to.deep.equal({
      deleted: ['1'],
      kept: { 2: 'newest 1 of its product' },
    });
  });

  it('an image is its fingerprint within its project: usage of one project is not another’s', () => {
    const images = [image('1'), image('1', { project: 'p' })];
    const instances = [
      {
        name: 'c1',
        project: 'p',
        config: { 'volatile.base_image': '1'.repeat(64) },
        snapshots: [],
      },
    ];
    const usage = usageOf({
      images,
      instances,
      projects: [{ name: 'default' }, { name: 'p', config: { 'features.images': 'true' } }],
    });
    const result = planPrune({ images, usage, rules: { ...RULES, unusedFor: 0 }, now: NOW });
    expect(result.deleted.map((i) => i.project)).to.deep.equal(['default']);
    expect(result.kept).to.deep.equal([{ fingerprint: '1'.repeat(64), reason: 'used by c1' }]);
  });
});
