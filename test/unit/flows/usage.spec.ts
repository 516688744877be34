import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { rejection } from '../helpers.js';
import { RemoteError, ValidationError } from '../../../lib/wire/errors.js';
import { daemonWith, fp, KEYS, rawImage, rawInstance } from '../retention-fakes.js';

describe('images.usage', () => {
  it('reads one listing of projects, images and instances, and says who uses what', async () => {
    const images = [
      rawImage('a', { aliases: [{ name: 'web', description: '' }] }),
      rawImage('b', { cached: true, last_used_at: '2026-11-01T00:00:00Z' }),
      rawImage('c'),
    ];
    const { fake, client } = daemonWith(images, [rawInstance('c1', fp('a'), { snap0: fp('b') })]);
    const usage = await client.images.usage('local');
    expect(fake.keys()).to.have.members(Object.values(KEYS));
    expect(usage).to.deep.equal([
      {
        fingerprint: fp('a'),
        project: 'default',
        aliases: ['web'],
        instances: ['c1'],
        cached: false,
        lastUsedAt: null,
      },
      {
        fingerprint: fp('b'),
        project: 'default',
        aliases: [],
        instances: ['c1/snap0'],
        cached: true,
        lastUsedAt: new Date('2026-11-01T00:00:00Z'),
      },
      {
        fingerprint: fp('c'),
        project: 'default',
        aliases: [],
        instances: [],
        cached: false,
        lastUsedAt: null,
      },
    ]);
  });

  it('in a project that shares the images of default, they are default’s and used by its instances', async () => {
    const projects = [
      { name: 'default', config: {} },
      { name: 'shared', config: { 'features.images': 'false' } },
    ];
    const instances = [rawInstance('c1', fp('a'), {}, 'shared'), rawInstance('c0', fp('a'))];
    const setting = { projects, project: 'shared' };
    const { client } = daemonWith([rawImage('a')], instances, setting);
    const [usage] = await client.images.usage('local');
    expect(usage).to.include({ project: 'default' });
    expect(usage?.instances).to.deep.equal(['shared:c1', 'c0']);
  });

  it('with allProjects on LXD 5.0, lists each project that keeps images', async () => {
    const projects = [
      { name: 'default', config: {} },
      { name: 'own', config: { 'features.images': 'true' } },
    ];
    const { fake, client } = daemonWith([rawImage('a')], [rawInstance('c3', fp('b'), {}, 'own')], {
      projects,
    });
    fake.on(`${KEYS.images} --project=default`, JSON.stringify([rawImage('a')]));
    fake.on(`${KEYS.images} --project=own`, JSON.stringify([rawImage('b')]));
    const usage = await client.images.usage('local', { allProjects: true });
    expect(usage.map((u) => [u.project, u.fingerprint[0], u.instances])).to.deep.equal([
      ['default', 'a', []],
      ['own', 'b', ['c3']],
    ]);
  });

  it('lists the instances of each project when the server lacks instance_all_projects', async () => {
    const projects = [
      { name: 'default', config: {} },
      { name: 'shared', config: {} },
    ];
    const { fake, client } = daemonWith([rawImage('a')], [], {
      projects,
      extensions: ['projects'],
    });
    fake.on('GET local:/1.0/instances?recursion=2&project=default', JSON.stringify([]));
    fake.on(
      'GET local:/1.0/instances?recursion=2&project=shared',
      JSON.stringify([rawInstance('c9', fp('a'))]),
    );
    const [usage] = await client.images.usage('local');
    expect(usage?.instances).to.deep.equal(['shared:c9']);
    expect(fake.keys()).to.not.include(KEYS.instances);
  });

  it('refuses a public image server and a non-boolean allProjects, sending nothing', async () => {
    const { fake, client } = fakeClient();
    expect(await rejection(client.images.usage('images'))).to.be.instanceOf(RemoteError);
    const bad = await rejection(
      client.images.usage('local', { allProjects: 'yes' as unknown as boolean }),
    );
    expect(bad).to.be.instanceOf(ValidationError).with.property('field', 'allProjects');
    expect(fake.keys()).to.deep.equal([]);
  });
});
