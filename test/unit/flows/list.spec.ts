import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { F0, F1, fixture, rejection } from '../helpers.js';
import { ParseError, ValidationError } from '../../../lib/wire/errors.js';

const LIST = fixture('image-list.lxd.json');

describe('images.list', () => {
  it('runs image list remote: --format=json and parses it', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list local: --format=json', LIST);
    const images = await client.images.list('local');
    expect(fake.keys()).to.deep.equal(['cli image list local: --format=json']);
    expect(images.map((i) => i.fingerprint)).to.include(F0);
  });

  it('passes filters as argv elements and the project as --project', async () => {
    const { fake, client } = fakeClient();
    const key = 'cli image list r: os=testos a50c --format=json --project=p';
    fake.on(key, fixture('image-list-project.lxd.json'));
    await client.images.list('r', { filter: ['os=testos', 'a50c'], project: 'p' });
    expect(fake.keys()).to.deep.equal([key]);
  });

  it('takes a single filter string', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list local: t0 --format=json', LIST);
    await client.images.list('local', { filter: 't0' });
    expect(fake.keys()).to.deep.equal(['cli image list local: t0 --format=json']);
  });

  it('filters GET /1.0/images?recursion=1 by the CLI rule on the REST form', async () => {
    const { fake, client } = fakeClient({}, 'rest');
    fake.on('GET local:/1.0/images?recursion=1', fixture('images.lxd.json'));
    const images = await client.images.list('local', { filter: ['os=testos', 't0'] });
    expect(images.map((i) => i.fingerprint)).to.deep.equal([F1]);
  });

  it('lists every project with --all-projects when the server has images_all_projects', async () => {
    const { fake, client } = fakeClient({ project: 'p' });
    fake.on('GET local:/1.0', JSON.stringify({ api_extensions: ['images_all_projects'] }));
    fake.on(
      'cli image list local: --format=json --all-projects',
      fixture('image-list-all-projects.incus.json'),
    );
    const images = await client.images.list('local', { allProjects: true });
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0',
      'cli image list local: --format=json --all-projects',
    ]);
    expect(new Set(images.map((i) => i.project))).to.deep.equal(new Set(['default', 'p']));
  });

  it('lists each image-owning project when the server lacks images_all_projects (LXD 5.0)', async () => {
    const { fake, client } = fakeClient();
    const projects = [
      { name: 'default', config: {} },
      { name: 'p', config: { 'features.images': 'true' } },
      { name: 'q', config: { 'features.images': 'false' } },
    ];
    fake.on('GET local:/1.0', JSON.stringify({ api_extensions: ['projects'] }));
    fake.on('GET local:/1.0/projects?recursion=1', JSON.stringify(projects));
    fake.on('cli image list local: --format=json --project=default', LIST);
    fake.on(
      'cli image list local: --format=json --project=p',
      fixture('image-list-project.lxd.json'),
    );
    const images = await client.images.list('local', { allProjects: true });
    expect(fake.keys()).to.have.members([
      'GET local:/1.0',
      'GET local:/1.0/projects?recursion=1',
      'cli image list local: --format=json --project=default',
      'cli image list local: --format=json --project=p',
    ]);
    expect(images.filter((i) => i.project === 'p')).to.have.length(2);
    expect(images.filter((i) => i.project === 'default')).to.have.length(5);
  });

  it('ignores allProjects on a simplestreams remote', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: --format=json', LIST);
    await client.images.list('images', { allProjects: true });
    expect(fake.keys()).to.deep.equal(['cli image list images: --format=json']);
  });

  it('rejects with ParseError keeping raw stdout on garbage', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list local: --format=json', '+----+\n| garbage |\n');
    const err = await rejection(client.images.list('local'));
    expect(err).to.be.instanceOf(ParseError).with.property('raw', '+----+\n| garbage |\n');
  });

  it('refuses a flag-like filter without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.list('local', { filter: '--all-projects' }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'filter[0]');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.fingerprints', () => {
  it('reads /1.0/images and keeps the last URL segment', async () => {
    const { fake, client } = fakeClient();
    fake.on(
      'GET local:/1.0/images',
      JSON.stringify([`/1.0/images/${F0}`, `/1.0/images/${F1}?project=p`]),
    );
    expect(await client.images.fingerprints('local')).to.deep.equal([F0, F1]);
    expect(fake.keys()).to.deep.equal(['GET local:/1.0/images']);
  });

  it('reads null (no images) as []', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images', 'null');
    expect(await client.images.fingerprints('local')).to.deep.equal([]);
  });

  it('lists the images of a simplestreams remote instead', async () => {
    const { fake, client } = fakeClient();
    fake.on('cli image list images: --format=json', fixture('image-list.incus.json'));
    expect(await client.images.fingerprints('images'))
      .to.have.length(5)
      .and.include(F1);
    expect(fake.keys()).to.deep.equal(['cli image list images: --format=json']);
  });
});
