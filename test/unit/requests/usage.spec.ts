import { expect } from 'chai';
import { fixture } from '../helpers.js';
import {
  imageProjectOf,
  instancesRequest,
  InstanceEntrySchema,
  usageOf,
  type InstanceEntry,
} from '../../../lib/requests/usage.js';
import { rawInstance } from '../retention-fakes.js';
import { requestUrl } from '../../../lib/wire/request.js';
import { ImageSchema, type Image } from '../../../lib/wire/schemas.js';

const BASE = ImageSchema.parse(JSON.parse(fixture('image.lxd.json')));
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

// An image `fp` in `project`, with aliases.
function image(fp: string, project: string, aliases: string[] = []): Image {
  return {
    ...BASE,
    fingerprint: fp,
    project,
    aliases: aliases.map((name) => ({ name, description: '' })),
  };
}

// An instance of `project` made from `base`, with snapshots made from the given images.
function instance(
  name: string,
  project: string,
  base: string,
  snapshots: Record<string, string> = {},
): InstanceEntry {
  return InstanceEntrySchema.parse(rawInstance(name, base, snapshots, project));
}

describe('image usage rules', () => {
  it('lists every instance with its snapshots: recursion=2, all projects, no project of its own', () => {
    const request = instancesRequest();
    expect(requestUrl(request, 'p')).to.equal('/1.0/instances?recursion=2&all-projects=true');
    expect(requestUrl(instancesRequest(true), 'p')).to.equal(
      '/1.0/instances?recursion=2&project=p',
    );
    expect(request.schema.parse(null)).to.deep.equal([]);
    const parsed = request.schema.parse([{ name: 'c1', config: null, snapshots: null }]);
    expect(parsed).to.deep.equal([{ name: 'c1', project: 'default', config: {}, snapshots: [] }]);
  });

  it('a project uses its own images with features.images, else those of default', () => {
    expect(imageProjectOf({ name: 'default' })).to.equal('default');
    expect(imageProjectOf({ name: 'p', config: { 'features.images': 'true' } })).to.equal('p');
    expect(imageProjectOf({ name: 'q', config: { 'features.images': 'false' } })).to.equal(
      'default',
    );
    expect(imageProjectOf({ name: 'r', config: null })).to.equal('default');
  });

  it('finds instances and snapshots by volatile.base_image, in the projects that use the image', () => {
    const images = [image(A, 'default', ['web']), image(B, 'default'), image(A, 'own')];
    const instances = [
      instance('c1', 'default', A, { snap0: B, snap1: A }),
      instance('c2', 'shared', A),
      instance('c3', 'own', A),
      instance('c4', 'default', ''),
    ];
    const projects = [
      { name: 'default' },
      { name: 'shared', config: { 'features.images': 'false' } },
      { name: 'own', config: { 'features.images': 'true' } },
    ];
    const usage = usageOf({ images, instances, projects });
    expect(usage.map((u) => [u.project, u.fingerprint[0], u.aliases, u.instances])).to.deep.equal([
      ['default', 'a', ['web'], ['c1', 'c1/snap1', 'shared:c2']],
      ['default', 'b', [], ['c1/snap0']],
      ['own', 'a', [], ['c3']],
    ]);
    expect(usage[0]).to.include({ cached: false, lastUsedAt: BASE.last_used_at });
  });
});
