import { expect } from 'chai';
import { F0 } from '../helpers.js';
import { pullRequest, pushExportRequest, pushTokenRequest } from '../../../lib/requests/copy.js';
import { checkCopy, type CheckedCopy } from '../../../lib/wire/checks-transfer.js';

const SOURCE = { remote: 'local', project: 'p' };

describe('pullRequest', () => {
  const source = { servers: ['https://10.0.0.1:8443'], certificate: 'CERT', protocol: 'lxd' };
  const copy = (flags = {}): CheckedCopy => checkCopy(SOURCE, 'r', flags);

  it('asks the target to pull a private image with its secret from the source project', () => {
    const request = pullRequest(
      source,
      'https://10.0.0.1:8443',
      { fingerprint: F0, secret: 's', project: 'p' },
      copy({ public: true, autoUpdate: true }),
    );
    expect(request).to.deep.include({
      method: 'POST',
      path: '/1.0/images',
      body: {
        source: {
          type: 'image',
          mode: 'pull',
          server: 'https://10.0.0.1:8443',
          protocol: 'lxd',
          certificate: 'CERT',
          fingerprint: F0,
          secret: 's',
          project: 'p',
        },
        public: true,
        auto_update: true,
      },
    });
  });

  it('leaves out the secret and project when there are none, and names a VM image type', () => {
    const request = pullRequest(
      { servers: ['https://images.example'], certificate: '', protocol: 'simplestreams' },
      'https://images.example',
      { fingerprint: 'alpine/3.19' },
      copy({ vm: true }),
    );
    expect((request.body as { source: object }).source).to.deep.equal({
      type: 'image',
      mode: 'pull',
      server: 'https://images.example',
      protocol: 'simplestreams',
      certificate: '',
      fingerprint: 'alpine/3.19',
      image_type: 'virtual-machine',
    });
  });
});

describe('pushTokenRequest', () => {
  it('asks the target for a push token', () => {
    expect(pushTokenRequest(F0, checkCopy(SOURCE, 'r', { mode: 'push' }))).to.deep.include({
      method: 'POST',
      path: '/1.0/images',
      body: { source: { fingerprint: F0, mode: 'push' }, public: false },
    });
  });
});

describe('pushExportRequest', () => {
  it('asks the source to push the image to the target, into its project when named', () => {
    const target = { url: 'https://10.0.0.2:8443', certificate: 'C', secret: 'S' };
    expect(pushExportRequest(F0, { ...target, project: 'q' })).to.deep.include({
      method: 'POST',
      path: `/1.0/images/${F0}/export`,
      body: { target: 'https://10.0.0.2:8443', certificate: 'C', secret: 'S', project: 'q' },
    });
    expect(pushExportRequest(F0, { ...target, project: undefined }).body).to.deep.equal({
      target: 'https://10.0.0.2:8443',
      certificate: 'C',
      secret: 'S',
    });
  });
});
