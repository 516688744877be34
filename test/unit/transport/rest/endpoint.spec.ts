import { expect } from 'chai';
import { configDir, resolveEndpoint, socketPath } from '../../../../lib/transport/rest/endpoint.js';

describe('REST endpoints', () => {
  it('finds the config directory as lxc and incus do', () => {
    expect(configDir('lxd', { LXD_CONF: '/c' })).to.equal('/c');
    expect(configDir('lxd', { HOME: '/h' })).to.equal('/h/.config/lxc');
    expect(configDir('incus', { INCUS_CONF: '/i', LXD_CONF: '/c' })).to.equal('/i');
    expect(configDir('incus', { HOME: '/h' })).to.equal('/h/.config/incus');
  });

  it('finds the local socket: the address, then *_SOCKET, then *_DIR', async () => {
    expect(await socketPath('unix:///srv/s.sock', 'lxd', {})).to.equal('/srv/s.sock');
    expect(await socketPath('unix://', 'lxd', { LXD_SOCKET: '/s', LXD_DIR: '/d' })).to.equal('/s');
    expect(await socketPath('unix://', 'lxd', { LXD_DIR: '/d' })).to.equal('/d/unix.socket');
    expect(await socketPath('unix://', 'incus', { INCUS_DIR: '/d' })).to.equal('/d/unix.socket');
  });

  it('leaves to the CLI what REST cannot serve, and says why', async () => {
    const reasons = await Promise.all(
      [
        { name: 'ss', url: 'https://x', protocol: 'simplestreams', public: true },
        { name: 'pub', url: 'https://x', protocol: 'lxd', public: true },
        { name: 'o', url: 'https://x', protocol: 'incus', public: false, auth_type: 'oidc' },
        { name: 'nocert', url: 'https://127.0.0.1:1', protocol: 'lxd', public: false },
      ].map(async (remote) => {
        const endpoint = await resolveEndpoint(remote, 'lxd', { LXD_CONF: '/nonexistent' });
        return 'reason' in endpoint ? endpoint.reason : endpoint.kind;
      }),
    );
    expect(reasons).to.deep.equal([
      'it is a simplestreams remote',
      'it is a public image server',
      'its auth type is oidc',
      'there is no client certificate',
    ]);
  });
});
