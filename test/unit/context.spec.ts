import { expect } from 'chai';
import sinon from 'sinon';
import { z } from 'zod';
import { apiPath, Context, parseOutput, queryArgs, withProject } from '../../lib/context.js';
import { ParseError, ValidationError } from '../../lib/errors.js';
import type { Runner } from '../../lib/runner.js';
import { ImageSchema } from '../../lib/schemas.js';
import { Scheduler } from '../../lib/scheduler.js';
import { F0, fixture, ok, rejection, type RunStub } from './helpers.js';

describe('context: apiPath', () => {
  it('joins segments under /', () => {
    expect(apiPath('1.0', 'images', F0)).to.equal(`/1.0/images/${F0}`);
  });

  it('encodes / ? # % and space inside a segment', () => {
    expect(apiPath('1.0', 'images', 'aliases', 'a/b ?#%')).to.equal(
      '/1.0/images/aliases/a%2Fb%20%3F%23%25',
    );
  });
});

describe('context: withProject', () => {
  it('leaves the path alone without a project', () => {
    expect(withProject('/1.0/images', undefined)).to.equal('/1.0/images');
  });

  it('adds ?project= or &project=', () => {
    expect(withProject('/1.0/images', 'p')).to.equal('/1.0/images?project=p');
    expect(withProject('/1.0/images?recursion=1', 'p')).to.equal(
      '/1.0/images?recursion=1&project=p',
    );
  });

  it('keeps a project already in the path', () => {
    expect(withProject('/1.0/images?project=a', 'b')).to.equal('/1.0/images?project=a');
  });
});

describe('context: queryArgs', () => {
  it('builds a plain GET as query remote:path', () => {
    expect(queryArgs('local', '/1.0')).to.deep.equal(['query', 'local:/1.0']);
    expect(queryArgs('local', '/1.0', { method: 'GET' })).to.deep.equal(['query', 'local:/1.0']);
  });

  it('adds --request, --wait and --data (JSON) before remote:path', () => {
    expect(
      queryArgs('r', '/1.0/images', { method: 'POST', wait: true, body: { a: 'x y' } }),
    ).to.deep.equal(['query', '--request=POST', '--wait', '--data={"a":"x y"}', 'r:/1.0/images']);
  });
});

describe('context: parseOutput', () => {
  it('parses the tab-indented JSON of lxc query (ending in \\n\\n)', () => {
    expect(parseOutput(ImageSchema, fixture('image.lxd.json')).fingerprint).to.equal(F0);
  });

  it('throws ParseError keeping raw for output that is not JSON', () => {
    const raw = 'Image exported successfully!\n';
    const err = (() => {
      try {
        return parseOutput(z.unknown(), raw, 'local');
      } catch (error) {
        return error;
      }
    })();
    expect(err).to.be.instanceOf(ParseError);
    expect((err as ParseError).raw).to.equal(raw);
    expect((err as ParseError).remote).to.equal('local');
    expect((err as ParseError).cause).to.be.instanceOf(SyntaxError);
  });

  it('throws ParseError keeping raw for JSON that does not fit the schema', () => {
    const raw = '{"fingerprint": "nope"}';
    expect(() => parseOutput(ImageSchema, raw))
      .to.throw(ParseError, /does not match the schema/)
      .with.property('raw', raw);
  });
});

describe('context: Context', () => {
  let run: RunStub;
  let ctx: Context;
  beforeEach(() => {
    run = sinon.stub<Parameters<Runner>, ReturnType<Runner>>().resolves(ok('{}\n\n'));
    ctx = new Context(run, new Scheduler(2), { remote: 'def', project: 'p0', timeout: 500 });
  });

  it('applies the defaults for an undefined or empty remote', () => {
    for (const remote of [undefined, '']) {
      expect(ctx.resolve(remote, undefined)).to.deep.equal({
        remote: 'def',
        project: 'p0',
        timeout: 500,
        signal: undefined,
      });
    }
  });

  it('lets call options override the project and timeout', () => {
    const signal = new AbortController().signal;
    expect(ctx.resolve('r', { project: 'p1', timeout: 9, signal })).to.deep.equal({
      remote: 'r',
      project: 'p1',
      timeout: 9,
      signal,
    });
  });

  it('refuses a bad remote or project', () => {
    expect(() => ctx.resolve('-r', {}))
      .to.throw(ValidationError)
      .with.property('field', 'remote');
    expect(() => ctx.resolve('r', { project: 'a/b' }))
      .to.throw(ValidationError)
      .with.property('field', 'project');
  });

  it('passes timeout, signal and remote to the runner', async () => {
    const signal = new AbortController().signal;
    await ctx.run(['x'], { remote: 'r', timeout: 7, signal });
    sinon.assert.calledOnceWithExactly(run, ['x'], { timeout: 7, signal, remote: 'r' });
  });

  it('query adds ?project= and reads empty stdout as null', async () => {
    run.resolves(ok(''));
    const result = await ctx.query(ctx.resolve('r', {}), '/1.0/images', z.null());
    expect(result).to.equal(null);
    expect(run.firstCall.args[0]).to.deep.equal(['query', 'r:/1.0/images?project=p0']);
  });

  it('runWithProject adds --project= at the end', async () => {
    await ctx.runWithProject(['image', 'list', 'r:'], ctx.resolve('r', {}));
    expect(run.firstCall.args[0]).to.deep.equal(['image', 'list', 'r:', '--project=p0']);
  });

  it('rejects with the runner error unchanged', async () => {
    const boom = new Error('boom');
    run.rejects(boom);
    expect(await rejection(ctx.run(['x'], ctx.resolve('r', {})))).to.equal(boom);
  });
});
