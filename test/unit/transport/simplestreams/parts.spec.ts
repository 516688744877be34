import { expect } from 'chai';
import { AbortError } from '../../../../lib/wire/errors.js';
import { architectureName, personalities } from '../../../../lib/transport/simplestreams/arch.js';
import { Catalog } from '../../../../lib/transport/simplestreams/catalog.js';
import { goDate, toImages } from '../../../../lib/transport/simplestreams/convert.js';
import {
  DecodeError,
  decodeIndex,
  decodeProducts,
} from '../../../../lib/transport/simplestreams/products.js';
import { SimplestreamsReader } from '../../../../lib/transport/simplestreams/reader.js';
import { SharedWork } from '../../../../lib/transport/simplestreams/shared.js';
import { rejectionOf } from '../../../support/procs.js';

const product = (fields: Record<string, unknown>): unknown => ({
  products: {
    p: {
      arch: 'amd64',
      os: 'ubuntu',
      release: 'noble',
      aliases: 'ubuntu/noble,noble',
      versions: {
        '20261101': {
          items: {
            a: { ftype: 'lxd_combined.tar.gz', path: 'a', sha256: 'ab', size: 1 },
            b: { ftype: 'incus_combined.tar.gz', path: 'a', sha256: 'ab', size: 1 },
          },
        },
      },
      ...fields,
    },
  },
});

describe('simplestreams parts', () => {
  it('names architectures as each client does', () => {
    expect(architectureName('lxd', 'amd64')).to.equal('x86_64');
    expect(architectureName('lxd', 'ppc64el')).to.equal('ppc64le');
    expect(architectureName('lxd', 'loong64')).to.equal(undefined);
    expect(architectureName('incus', 'loong64')).to.equal('loongarch64');
    expect(architectureName('incus', 'mipsle')).to.equal('mips');
    expect(architectureName('lxd', 'mipsle')).to.equal(undefined);
    expect([...personalities('lxd', 'x86_64')]).to.deep.equal(['i686']);
    expect([...personalities('lxd', 'aarch64')]).to.deep.equal(['armv6l', 'armv7l', 'armv8l']);
    expect([...personalities('lxd', 'sparc')]).to.deep.equal([]);
  });

  it("parses version keys and end-of-support dates as Go's time.Parse does", () => {
    expect(goDate('2028', '02', '29')).to.equal('2028-02-29T00:00:00Z');
    expect(goDate('2027', '02', '29')).to.equal(undefined);
    expect(goDate('2000', '02', '29')).to.equal('2000-02-29T00:00:00Z');
    expect(goDate('1900', '02', '29')).to.equal(undefined);
    expect(goDate('2026', '13', '01')).to.equal(undefined);
    expect(goDate('2026', '1', '01')).to.equal(undefined);
    expect(goDate('2026', '00', '10')).to.equal(undefined);
  });

  it('fails a document with a value of the wrong type anywhere, as Go does', () => {
    expect(() => decodeProducts(product({ release: 9 }), 'lxd')).to.throw(
      DecodeError,
      'Product.release',
    );
    expect(() => decodeProducts(product({ lxd_requirements: { a: 1 } }), 'lxd')).to.throw(
      DecodeError,
    );
    // a field the flavour does not read is not checked
    expect(() => decodeProducts(product({ lxd_requirements: { a: 1 } }), 'incus')).to.not.throw();
    expect(() => decodeIndex({ index: { i: { products: 'a' } } })).to.throw(DecodeError);
    expect(decodeProducts(null, 'lxd')).to.deep.equal([]);
  });

  it("strips `ubuntu/` from aliases on Canonical's server, for LXD only", () => {
    const aliases = (flavor: 'lxd' | 'incus', url: string): string[] => {
      const images = toImages(decodeProducts(product({}), flavor), flavor);
      const catalog = new Catalog(images, { flavor, machine: 'x86_64', url });
      return catalog.aliasList().map((alias) => alias.name);
    };
    expect(aliases('lxd', 'https://cloud-images.ubuntu.com/releases')).to.deep.equal([
      'noble',
      'noble/amd64',
    ]);
    expect(aliases('incus', 'https://cloud-images.ubuntu.com/releases')).to.deep.equal([
      'ubuntu/noble',
      'ubuntu/noble/amd64',
      'noble',
      'noble/amd64',
    ]);
  });

  it('serves HTTPS simplestreams remotes that no proxy of the client applies to', () => {
    const remote = (url: string, protocol = 'simplestreams') => ({
      name: 'r',
      url,
      protocol,
      public: true,
    });
    const reader = (env: Record<string, string>): SimplestreamsReader =>
      new SimplestreamsReader({ flavor: 'lxd', env });
    expect(reader({}).serves(remote('https://images.example'))).to.equal(true);
    expect(reader({}).serves(remote('http://images.example'))).to.equal(false);
    expect(reader({}).serves(remote('unix://', 'lxd'))).to.equal(false);
    const proxied = reader({
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: '.internal,other.example',
    });
    expect(proxied.serves(remote('https://images.example'))).to.equal(false);
    expect(proxied.serves(remote('https://127.0.0.1:8443'))).to.equal(true);
    expect(proxied.serves(remote('https://a.internal'))).to.equal(true);
    expect(proxied.serves(remote('https://other.example/x'))).to.equal(true);
    expect(reader({ https_proxy: 'http://p', NO_PROXY: '*' }).serves(remote('https://x'))).to.equal(
      true,
    );
  });

  describe('SharedWork', () => {
    it('lets one waiter leave without stopping the others', async () => {
      let release: (value: string) => void = () => undefined;
      let stopped: AbortSignal | undefined;
      const work = new SharedWork<string>((signal) => {
        stopped = signal;
        return new Promise((resolve) => (release = resolve));
      });
      const leaving = new AbortController();
      const first = work.wait(leaving.signal);
      const second = work.wait(new AbortController().signal);
      leaving.abort();
      expect(await rejectionOf(first)).to.be.instanceOf(AbortError);
      expect(stopped?.aborted).to.equal(false);
      release('done');
      expect(await second).to.equal('done');
    });

    it('aborts the work once every waiter has left', async () => {
      let stopped: AbortSignal | undefined;
      const work = new SharedWork<string>((signal) => {
        stopped = signal;
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            reject(new AbortError('stopped'));
          });
        });
      });
      const controller = new AbortController();
      const waiting = work.wait(controller.signal);
      controller.abort();
      await rejectionOf(waiting);
      expect(stopped?.aborted).to.equal(true);
      expect(work.abandoned).to.equal(true);
      await work.finished;
    });
  });
});
