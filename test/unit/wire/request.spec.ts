import { expect } from 'chai';
import { z } from 'zod';
import { F0 } from '../helpers.js';
import { apiPath, type ApiRequest, projectFlag, requestUrl } from '../../../lib/wire/request.js';

const get = (path: string, fields: Partial<ApiRequest> = {}): ApiRequest => ({
  method: 'GET',
  path,
  schema: z.unknown(),
  ...fields,
});

describe('apiPath', () => {
  it('joins segments under /', () => {
    expect(apiPath('1.0', 'images', F0)).to.equal(`/1.0/images/${F0}`);
  });

  it('encodes / ? # % and space inside a segment', () => {
    expect(apiPath('1.0', 'images', 'aliases', 'a/b ?#%')).to.equal(
      '/1.0/images/aliases/a%2Fb%20%3F%23%25',
    );
  });
});

describe('requestUrl', () => {
  it('leaves the path alone without a query or a project', () => {
    expect(requestUrl(get('/1.0/images'), undefined)).to.equal('/1.0/images');
  });

  it('adds the project as ?project= after the query', () => {
    expect(requestUrl(get('/1.0/images'), 'p')).to.equal('/1.0/images?project=p');
    expect(requestUrl(get('/1.0/images', { query: { recursion: '1' } }), 'p')).to.equal(
      '/1.0/images?recursion=1&project=p',
    );
  });

  it('leaves the project out of a global request', () => {
    expect(requestUrl(get('/1.0', { global: true }), 'p')).to.equal('/1.0');
  });

  it('keeps a project the request names itself, in its query or its path', () => {
    expect(requestUrl(get('/1.0/images', { query: { project: 'a' } }), 'b')).to.equal(
      '/1.0/images?project=a',
    );
    expect(requestUrl(get('/1.0/images?project=a'), 'b')).to.equal('/1.0/images?project=a');
  });

  it('appends with & to a path that already holds a query string', () => {
    expect(requestUrl(get('/1.0/images?recursion=1'), 'p')).to.equal(
      '/1.0/images?recursion=1&project=p',
    );
  });

  it('encodes a space as %20 and a plus as %2B', () => {
    const request = get('/1.0/images', { query: { filter: 'fingerprint eq a+b' } });
    expect(requestUrl(request, undefined)).to.equal('/1.0/images?filter=fingerprint%20eq%20a%2Bb');
  });
});

describe('projectFlag', () => {
  it('gives --project= for a target with a project, nothing otherwise', () => {
    expect(projectFlag({ remote: 'r', project: 'p' })).to.deep.equal(['--project=p']);
    expect(projectFlag({ remote: 'r' })).to.deep.equal([]);
  });
});
