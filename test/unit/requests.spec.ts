import { expect } from 'chai';
import { z } from 'zod';
import { LxcError, NotFoundError, ParseError, ValidationError } from '../../lib/errors.js';
import { checkOperationId } from '../../lib/requests/operations.js';
import {
  checkFilters,
  allProjectsRequest,
  fingerprintsRequest,
  listRequest,
} from '../../lib/requests/list.js';
import { applyFilters, matchesFilter } from '../../lib/requests/list-filter.js';
import {
  aliasRequest,
  imageListCommand,
  imageRequest,
  pickImage,
  refListCommand,
  someImagesRequest,
} from '../../lib/requests/lookup.js';
import { refreshRequest } from '../../lib/requests/refresh.js';
import { apiPath, projectFlag, requestUrl, type ApiRequest } from '../../lib/requests/request.js';
import { secretRequest } from '../../lib/requests/secret.js';
import { serverRequest, ServerSchema } from '../../lib/requests/server.js';
import { ImageListSchema, ImageSchema, type Image } from '../../lib/schemas.js';
import { F0, F1, fixture, operation, thrown } from './helpers.js';

const IMAGES = ImageListSchema.parse(JSON.parse(fixture('image-list.lxd.json')));
const IMAGE = ImageSchema.parse(JSON.parse(fixture('image.lxd.json')));
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

describe('lookup builders', () => {
  it('imageRequest and aliasRequest GET the encoded name', () => {
    expect(imageRequest(F0)).to.include({ method: 'GET', path: `/1.0/images/${F0}` });
    expect(aliasRequest('a/b')).to.include({ method: 'GET', path: '/1.0/images/aliases/a%2Fb' });
  });

  it('someImagesRequest filters the listing by fingerprint', () => {
    expect(requestUrl(someImagesRequest([F0, F1]), undefined)).to.equal(
      `/1.0/images?recursion=1&filter=fingerprint%20eq%20${F0}%20or%20fingerprint%20eq%20${F1}`,
    );
  });

  it('imageListCommand puts the filters between remote: and --format=json', () => {
    expect(imageListCommand('r', ['os=x', 'a']).args).to.deep.equal([
      'image',
      'list',
      'r:',
      'os=x',
      'a',
      '--format=json',
    ]);
  });

  it('imageListCommand parses the listing, and its errors name the remote', () => {
    const command = imageListCommand('r', []);
    expect(command.parse(fixture('image-list.lxd.json'))).to.have.length(5);
    expect(thrown(() => command.parse('nope')))
      .to.be.instanceOf(ParseError)
      .with.property('remote', 'r');
  });

  it('refListCommand narrows by the ref, unless it looks like key=value', () => {
    expect(refListCommand('r', 't0').args).to.include('t0');
    expect(refListCommand('r', 'os=x').args).to.deep.equal([
      'image',
      'list',
      'r:',
      '--format=json',
    ]);
  });
});

describe('pickImage', () => {
  it('picks by alias first, then by a unique fingerprint prefix (any case)', () => {
    expect(pickImage(IMAGES, 't0').fingerprint).to.equal(F1);
    expect(pickImage(IMAGES, 'A50C').fingerprint).to.equal(F0);
  });

  it('prefers the image of the asked type among images sharing an alias', () => {
    const vm: Image = { ...IMAGE, fingerprint: F1, type: 'virtual-machine' };
    expect(pickImage([IMAGE, vm], 'a', 'r', 'virtual-machine').fingerprint).to.equal(F1);
    expect(pickImage([vm, IMAGE], 'a').fingerprint).to.equal(F0);
  });

  it('throws a plain LxcError for an ambiguous prefix and NotFoundError for no match', () => {
    const ambiguous = thrown(() => pickImage(IMAGES, '1', 'r'));
    expect(ambiguous).to.be.instanceOf(LxcError).and.not.be.instanceOf(NotFoundError);
    expect(thrown(() => pickImage(IMAGES, 'nosuch', 'r')))
      .to.be.instanceOf(NotFoundError)
      .with.property('remote', 'r');
  });
});

describe('listRequest', () => {
  it('has the CLI listing and GET /1.0/images?recursion=1 filtered by the same rule', () => {
    const request = listRequest('r', ['t0']);
    expect(request.cli?.args).to.deep.equal(['image', 'list', 'r:', 't0', '--format=json']);
    expect(request.api && requestUrl(request.api, 'p')).to.equal(
      '/1.0/images?recursion=1&project=p',
    );
    const images = request.api!.schema.parse(JSON.parse(fixture('images.lxd.json')));
    expect(images.map((i) => i.fingerprint)).to.deep.equal([F1]);
  });
});

describe('allProjectsRequest', () => {
  it('asks for every project, on the CLI and (globally) on REST', () => {
    const request = allProjectsRequest('r', ['os=testos']);
    expect(request.cli?.args).to.deep.equal([
      'image',
      'list',
      'r:',
      'os=testos',
      '--format=json',
      '--all-projects',
    ]);
    expect(request.api && requestUrl(request.api, 'p')).to.equal(
      '/1.0/images?recursion=1&all-projects=true',
    );
  });
});

describe('fingerprintsRequest', () => {
  it('keeps the last segment of each image URL', () => {
    const request = fingerprintsRequest();
    expect(
      request.schema.parse([`/1.0/images/${F0}`, `/1.0/images/${F1}?project=p`]),
    ).to.deep.equal([F0, F1]);
  });
});

describe('checkFilters', () => {
  it('turns a string into a list and keeps a list', () => {
    expect(checkFilters('a')).to.deep.equal(['a']);
    expect(checkFilters(['a', 'b=c'])).to.deep.equal(['a', 'b=c']);
  });

  it('refuses a non-string item, naming its index', () => {
    expect(thrown(() => checkFilters(['a', 3])))
      .to.be.instanceOf(ValidationError)
      .with.property('field', 'filter[1]');
  });
});

describe('matchesFilter', () => {
  const image: Image = {
    ...IMAGE,
    properties: { os: 'Alpine', release: '3.19', 'architecture.bits': '64', description: 'x y' },
  };

  it('matches a property value as an anchored regular expression', () => {
    expect(matchesFilter(image, 'os=Alpine')).to.equal(true);
    expect(matchesFilter(image, 'os=Alp')).to.equal(false);
    expect(matchesFilter(image, 'os=Alp.*')).to.equal(true);
    expect(matchesFilter(image, 'release=3.1.')).to.equal(true);
  });

  it('leaves a pattern with ^ or $ anchored as written', () => {
    expect(matchesFilter(image, 'os=^Alp')).to.equal(true);
    expect(matchesFilter(image, 'os=ine$')).to.equal(true);
    expect(matchesFilter(image, 'os=^lp')).to.equal(false);
  });

  it('compares a value that is no regular expression as plain text', () => {
    const odd: Image = { ...image, properties: { os: 'a(b' } };
    expect(matchesFilter(odd, 'os=a(b')).to.equal(true);
    expect(matchesFilter(odd, 'os=a(c')).to.equal(false);
  });

  it('takes a key as dot-separated prefixes of a property key', () => {
    expect(matchesFilter(image, 'a.b=64')).to.equal(true);
    expect(matchesFilter(image, 'rel=3.19')).to.equal(true);
    expect(matchesFilter(image, 'a=64')).to.equal(false);
    expect(matchesFilter(image, 'architecture.bits.x=64')).to.equal(false);
  });

  it('matches the top-level fields as text', () => {
    expect(matchesFilter(image, 'type=container')).to.equal(true);
    expect(matchesFilter(image, 'public=false')).to.equal(true);
    expect(matchesFilter(image, 'architecture=x86_64')).to.equal(true);
    expect(matchesFilter(image, 'type=virtual-machine')).to.equal(false);
  });

  it('matches a word that is part of an alias or of the fingerprint', () => {
    expect(matchesFilter(image, 'zz')).to.equal(true);
    expect(matchesFilter(image, 'q r')).to.equal(true);
    expect(matchesFilter(image, F0.slice(0, 8))).to.equal(true);
    expect(matchesFilter(image, F0.slice(10, 20))).to.equal(true);
    expect(matchesFilter(image, 'nosuch')).to.equal(false);
  });
});

describe('applyFilters', () => {
  it('keeps the images that pass every filter', () => {
    expect(
      applyFilters(IMAGES, ['os=testos', 'release=1.1']).map((i) => i.fingerprint),
    ).to.deep.equal([F1]);
    expect(applyFilters(IMAGES, [])).to.equal(IMAGES);
  });
});

describe('refreshRequest', () => {
  it('POSTs /1.0/images/<fp>/refresh and reads an operation', () => {
    const request = refreshRequest(F0);
    expect(request).to.include({ method: 'POST', path: `/1.0/images/${F0}/refresh` });
    expect(request.body).to.equal(undefined);
    expect(request.schema.parse(JSON.parse(operation()))).to.have.property('status', 'Running');
  });
});

describe('secretRequest', () => {
  it('POSTs /1.0/images/<fp>/secret and reads a token operation', () => {
    const request = secretRequest(F0);
    expect(request).to.include({ method: 'POST', path: `/1.0/images/${F0}/secret` });
    const op = request.schema.parse(JSON.parse(fixture('operation-secret.lxd.json')));
    expect(op.metadata.secret).to.match(/^[0-9a-f]{64}$/);
  });

  it('refuses an operation without metadata.secret', () => {
    expect(secretRequest(F0).schema.safeParse(JSON.parse(operation())).success).to.equal(false);
  });
});

describe('serverRequest', () => {
  it('GETs /1.0 globally, with defaults for what an old server leaves out', () => {
    const request = serverRequest();
    expect(request).to.include({ method: 'GET', path: '/1.0', global: true });
    expect(ServerSchema.parse({ api_extensions: null })).to.deep.include({
      api_extensions: [],
      auth: '',
      environment: { addresses: [], certificate: '', server: '', server_clustered: false },
    });
  });
});

describe('checkOperationId', () => {
  it('accepts a UUID and refuses anything with other characters', () => {
    expect(checkOperationId('9f938863-13b2-4f03-8bd8-5493fd58781c')).to.have.length(36);
    for (const bad of ['', 'a/b', 'a b', 'x'.repeat(65), 5])
      expect(thrown(() => checkOperationId(bad)))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'id');
  });
});
