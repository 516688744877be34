import { expect } from 'chai';
import { z } from 'zod';
import { F0, fixture, thrown } from '../../helpers.js';
import { ParseError, ValidationError } from '../../../../lib/wire/errors.js';
import type { ApiRequest } from '../../../../lib/wire/request.js';
import { ImageSchema } from '../../../../lib/wire/schemas.js';
import { MAX_ARG_BYTES, parseQueryOutput, queryArgs } from '../../../../lib/transport/cli/query.js';

const post = (body: unknown): ApiRequest => ({
  method: 'POST',
  path: '/1.0/images',
  body,
  schema: z.unknown(),
});

describe('queryArgs', () => {
  it('builds a plain GET as query remote:path', () => {
    expect(
      queryArgs({ remote: 'local' }, { method: 'GET', path: '/1.0', schema: z.unknown() }),
    ).to.deep.equal(['query', 'local:/1.0']);
  });

  it('adds --request, --wait and --data (JSON) before remote:path', () => {
    const request = { ...post({ a: 'x y' }), wait: true };
    expect(queryArgs({ remote: 'r' }, request)).to.deep.equal([
      'query',
      '--request=POST',
      '--wait',
      '--data={"a":"x y"}',
      'r:/1.0/images',
    ]);
  });

  it('adds the query and the project to the path', () => {
    const request: ApiRequest = {
      method: 'DELETE',
      path: '/1.0/images/aliases/x%2Fy',
      query: { a: 'b' },
      schema: z.unknown(),
    };
    expect(queryArgs({ remote: 'r', project: 'p' }, request)).to.deep.equal([
      'query',
      '--request=DELETE',
      'r:/1.0/images/aliases/x%2Fy?a=b&project=p',
    ]);
  });

  it('sends a body of up to 128 KiB as one argument', () => {
    // `--data={"a":"…"}` is 15 bytes more than the string
    const args = queryArgs({ remote: 'r' }, post({ a: 'x'.repeat(MAX_ARG_BYTES - 15) }));
    expect(Buffer.byteLength(args[2] ?? '')).to.equal(MAX_ARG_BYTES);
  });

  it('refuses a body over 128 KiB with ValidationError', () => {
    const err = thrown(() =>
      queryArgs({ remote: 'r' }, post({ a: 'x'.repeat(MAX_ARG_BYTES - 14) })),
    );
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'body');
    expect((err as Error).message).to.match(/128 KiB/);
  });

  it('refuses a BigInt or a cyclic body with ValidationError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const body of [{ n: 1n }, cyclic]) {
      expect(thrown(() => queryArgs({ remote: 'r' }, post(body))))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'body');
    }
  });
});

describe('parseQueryOutput', () => {
  const image: ApiRequest = { method: 'GET', path: '/x', schema: ImageSchema };

  it('parses the tab-indented JSON of lxc query (ending in \\n\\n)', () => {
    expect(parseQueryOutput(image, fixture('image.lxd.json'), 'local')).to.have.property(
      'fingerprint',
      F0,
    );
  });

  it('reads empty output as null', () => {
    expect(parseQueryOutput(post(undefined), '\n', 'local')).to.equal(null);
  });

  it('throws ParseError keeping raw and the remote for output that is not JSON', () => {
    const raw = 'Image exported successfully!\n';
    const err = thrown(() => parseQueryOutput(post(undefined), raw, 'local'));
    expect(err).to.be.instanceOf(ParseError);
    expect(err).to.include({ raw, remote: 'local' });
    expect((err as ParseError).cause).to.be.instanceOf(SyntaxError);
  });

  it('throws ParseError keeping raw for JSON that does not fit the schema', () => {
    const raw = '{"fingerprint": "nope"}';
    expect(() => parseQueryOutput(image, raw, 'local'))
      .to.throw(ParseError, /does not match the schema/)
      .with.property('raw', raw);
  });
});
