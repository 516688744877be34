import { expect } from 'chai';
import { F0, fixture } from '../helpers.js';
import {
  ImageAliasListSchema,
  ImageAliasSchema,
  ImageListSchema,
  ImageSchema,
  OperationSchema,
  TimestampSchema,
} from '../../../lib/wire/schemas.js';

const json = (name: string): Record<string, unknown> =>
  JSON.parse(fixture(name)) as Record<string, unknown>;
const DAEMONS = ['lxd', 'incus'] as const;

describe('schemas: ImageSchema', () => {
  for (const daemon of DAEMONS) {
    it(`parses image.${daemon}.json with zero times as null and real times as Date`, () => {
      const image = ImageSchema.parse(json(`image.${daemon}.json`));
      expect(image.fingerprint).to.equal(F0);
      expect(image.expires_at).to.equal(null);
      expect(image.last_used_at).to.equal(null);
      expect(image.created_at).to.deep.equal(new Date('2023-11-14T22:13:20Z'));
      expect(image.uploaded_at).to.be.instanceOf(Date);
      expect(image.uploaded_at!.toISOString()).to.match(/^2026-11-23T09:04:04\.\d{3}Z$/);
      expect(image.aliases.map((a) => a.name)).to.deep.equal(['a', 'zz2', 'p/q r']);
      expect(image.properties).to.deep.equal({
        description: 'Test image 0',
        os: 'testos',
        release: '1.0',
      });
    });

    it(`parses image-split.${daemon}.json`, () => {
      const image = ImageSchema.parse(json(`image-split.${daemon}.json`));
      expect(image).to.include({ filename: 'rootfs.tar.gz', size: 376, type: 'container' });
    });
  }

  it('keeps the project field of Incus (absent on LXD 5.0)', () => {
    expect(ImageSchema.parse(json('image.incus.json')).project).to.equal('default');
    expect(ImageSchema.parse(json('image.lxd.json'))).not.to.have.property('project');
  });

  it('keeps unknown fields from newer servers', () => {
    const image = ImageSchema.parse({ ...json('image.lxd.json'), newer_field: { a: 1 } });
    expect(image).to.have.deep.property('newer_field', { a: 1 });
  });

  it('turns null slices and maps into [] and {}', () => {
    const image = ImageSchema.parse({
      ...json('image.lxd.json'),
      aliases: null,
      profiles: null,
      properties: null,
      update_source: null,
    });
    expect(image.aliases).to.deep.equal([]);
    expect(image.profiles).to.deep.equal([]);
    expect(image.properties).to.deep.equal({});
    expect(image.update_source).to.equal(undefined);
  });

  it('rejects an image without a fingerprint', () => {
    const raw = json('image.lxd.json');
    delete raw.fingerprint;
    expect(ImageSchema.safeParse(raw).success).to.equal(false);
  });

  it('rejects a malformed fingerprint, size or timestamp', () => {
    const raw = json('image.incus.json');
    for (const bad of [{ fingerprint: 'a50c' }, { size: '287' }, { created_at: 'yesterday' }]) {
      expect(ImageSchema.safeParse({ ...raw, ...bad }).success, JSON.stringify(bad)).to.equal(
        false,
      );
    }
  });
});

describe('schemas: ImageListSchema', () => {
  const lists = [
    ...DAEMONS.flatMap((d) => [
      `images.${d}.json`,
      `image-list.${d}.json`,
      `images-project.${d}.json`,
      `image-list-project.${d}.json`,
    ]),
    'image-list-all-projects.incus.json',
  ];
  for (const name of lists) {
    it(`parses ${name}`, () => {
      const images = ImageListSchema.parse(JSON.parse(fixture(name)));
      expect(images).to.have.length.above(0);
      for (const image of images) {
        expect(image.fingerprint).to.match(/^[0-9a-f]{64}$/);
        expect(image.expires_at).to.equal(null);
      }
    });
  }

  it('keeps the project of each image listed with --all-projects', () => {
    const images = ImageListSchema.parse(JSON.parse(fixture('image-list-all-projects.incus.json')));
    expect(images.filter((i) => i.fingerprint === F0).map((i) => i.project)).to.have.members([
      'default',
      'p',
    ]);
  });

  it('turns null into []', () => {
    expect(ImageListSchema.parse(null)).to.deep.equal([]);
  });
});

describe('schemas: TimestampSchema', () => {
  it('maps both zero times, empty and missing values to null', () => {
    for (const zero of ['0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '', null, undefined]) {
      expect(TimestampSchema.parse(zero)).to.equal(null);
    }
  });

  it('parses nanosecond timestamps', () => {
    const date = TimestampSchema.parse('2026-11-23T09:04:04.564252937Z');
    expect(date?.toISOString()).to.equal('2026-11-23T09:04:04.564Z');
  });
});

describe('schemas: ImageAliasSchema', () => {
  for (const daemon of DAEMONS) {
    it(`parses alias.${daemon}.json and aliases.${daemon}.json`, () => {
      expect(ImageAliasSchema.parse(json(`alias.${daemon}.json`))).to.deep.equal({
        description: '',
        name: 'a',
        target: F0,
        type: 'container',
      });
      const names = ImageAliasListSchema.parse(JSON.parse(fixture(`aliases.${daemon}.json`)));
      expect(names.map((a) => a.name)).to.deep.equal(['a', 't0', 'zz2']);
    });
  }
});

describe('schemas: OperationSchema', () => {
  for (const daemon of DAEMONS) {
    it(`parses operation-delete.${daemon}.json (metadata null -> {})`, () => {
      const op = OperationSchema.parse(json(`operation-delete.${daemon}.json`));
      expect(op).to.include({ class: 'task', status: 'Running', status_code: 103 });
      expect(op.metadata).to.deep.equal({});
      expect(op.resources.images).to.have.length(1);
      expect(op.created_at).to.be.instanceOf(Date);
    });

    it(`parses operation-secret.${daemon}.json`, () => {
      const op = OperationSchema.parse(json(`operation-secret.${daemon}.json`));
      expect(op).to.include({ class: 'token', may_cancel: true });
      expect(op.metadata.secret).to.match(/^[0-9a-f]{64}$/);
    });
  }

  it('turns resources: null (LXD refresh) into {}', () => {
    const op = OperationSchema.parse({ ...json('operation-delete.lxd.json'), resources: null });
    expect(op.resources).to.deep.equal({});
  });

  it('rejects an operation without an id', () => {
    const raw = json('operation-delete.incus.json');
    delete raw.id;
    expect(OperationSchema.safeParse(raw).success).to.equal(false);
  });
});
