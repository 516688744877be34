import { expect } from 'chai';
import { F0, F1, fixture, operation, thrown } from '../helpers.js';
import { aliasRequest } from '../../../lib/requests/aliases.js';
import {
  allProjectsRequest,
  deleteRequest,
  fingerprintsRequest,
  imageListCommand,
  imageRequest,
  listRequest,
  refListRequest,
  refreshRequest,
  secretRequest,
  someImagesRequest,
} from '../../../lib/requests/images.js';
import { ParseError } from '../../../lib/wire/errors.js';
import { requestUrl } from '../../../lib/wire/request.js';

describe('deleteRequest', () => {
  it('waits and resolves to undefined, or resolves to the operation', () => {
    const waiting = deleteRequest(F0, true);
    expect(waiting).to.include({ method: 'DELETE', path: `/1.0/images/${F0}`, wait: true });
    expect(waiting.schema.parse({ status: 'Success' })).to.equal(undefined);
    const running = deleteRequest(F0, false);
    expect(running.wait).to.equal(false);
    expect(running.schema.parse(JSON.parse(operation()))).to.have.property('status', 'Running');
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

  it('refListRequest narrows by the ref, unless it looks like key=value', () => {
    expect(refListRequest('r', 't0').cli?.args).to.include('t0');
    expect(refListRequest('r', 't0').simplestreams).to.deep.equal({ images: ['t0'] });
    expect(refListRequest('r', 'os=x').cli?.args).to.deep.equal([
      'image',
      'list',
      'r:',
      '--format=json',
    ]);
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
