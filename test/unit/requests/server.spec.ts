import { expect } from 'chai';
import { fixture, ok, stubRunner, thrown } from '../helpers.js';
import {
  isPublicRemote,
  parseRemoteList,
  remoteListCommand,
  serverRequest,
  ServerSchema,
} from '../../../lib/requests/server.js';
import { ParseError } from '../../../lib/wire/errors.js';
import { CliTransport } from '../../../lib/transport/cli/cli-transport.js';

const never = new AbortController().signal;

describe('remoteListCommand, through the CLI transport', () => {
  it('runs remote list --format=json and turns the map into remotes', async () => {
    const run = stubRunner().resolves(ok(fixture('remote-list.lxd.json')));
    const list = { cli: remoteListCommand('lxd') };
    const { data: remotes } = await new CliTransport(run).send({ remote: 'local' }, list, never);
    expect(run.firstCall.args[0]).to.deep.equal(['remote', 'list', '--format=json']);
    expect(remotes.find((r) => r.name === 'local')?.protocol).to.equal('lxd');
  });

  it("gives the built-in local remote the client's protocol", async () => {
    const run = stubRunner().resolves(ok(fixture('remote-list.incus.json')));
    const list = { cli: remoteListCommand('incus') };
    const { data: remotes } = await new CliTransport(run).send({ remote: 'local' }, list, never);
    expect(remotes.find((r) => r.name === 'local')).to.deep.include({
      url: 'unix://',
      protocol: 'incus',
      static: true,
    });
  });
});

describe('parseRemoteList', () => {
  it('turns the LXD map of Go-cased fields into an array', () => {
    const remotes = parseRemoteList(fixture('remote-list.lxd.json'), 'lxd');
    expect(remotes.map((r) => r.name)).to.deep.equal([
      'dead',
      'images',
      'local',
      'ss',
      'ubuntu',
      'ubuntu-daily',
    ]);
    expect(remotes[1]).to.deep.include({
      name: 'images',
      url: 'https://images.linuxcontainers.org',
      protocol: 'simplestreams',
      public: true,
      static: false,
    });
    expect(remotes[0]).to.include({ protocol: 'lxd', auth_type: 'tls' });
  });

  // LXD 5.0 lists `local` with `Protocol: ""`
  it('gives the local remote the protocol of the client (lxd or incus)', () => {
    const lxd = parseRemoteList(fixture('remote-list.lxd.json'), 'lxd');
    const incus = parseRemoteList(fixture('remote-list.incus.json'), 'incus');
    expect(lxd.find((r) => r.name === 'local')?.protocol).to.equal('lxd');
    expect(incus.find((r) => r.name === 'local')).to.deep.include({
      url: 'unix://',
      protocol: 'incus',
      static: true,
    });
  });

  it('throws ParseError for output that is not the map', () => {
    expect(thrown(() => parseRemoteList('[]', 'lxd'))).to.be.instanceOf(ParseError);
  });
});

describe('isPublicRemote', () => {
  it('is true for simplestreams and public remotes only', () => {
    expect(
      isPublicRemote({ name: 'a', url: 'u', protocol: 'simplestreams', public: false }),
    ).to.equal(true);
    expect(isPublicRemote({ name: 'a', url: 'u', protocol: 'lxd', public: true })).to.equal(true);
    expect(isPublicRemote({ name: 'a', url: 'u', protocol: 'lxd', public: false })).to.equal(false);
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
