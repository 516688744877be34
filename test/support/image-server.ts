import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnRandomPort } from '../../lib/testing/stream-server.js';
import type { TestImage } from './make-image.js';

/** Options of {@link startImageServer}. */
export interface ImageServerOptions {
  /** Server certificate and key in PEM (see makeTestCa). */
  tls: { cert: string; key: string };
  /** Optional directory whose files are served as-is for any other path (GET/HEAD). */
  dir?: string;
}

/** One version of a simplestreams product to publish. */
export interface PublishOptions {
  os: string;
  release: string;
  aliases: string[];
  /** Version key, must start with a date: `YYYYMMDD_HHMM`. */
  version: string;
  image: TestImage;
}

/** A request seen by the server. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** The status it was answered with (304 for a revalidation that found nothing new). */
  status?: number;
}

/** A running HTTPS simplestreams + URL-source image server on 127.0.0.1. */
export interface ImageServer {
  /** `https://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: LoggedRequest[];
  /** Add (or replace) version `version` of product `<os>:<release>:amd64:default`. */
  publish(p: PublishOptions): void;
  /**
   * Add (or replace) a product exactly as given (any architecture, split or VM items, several
   * versions): the simplestreams JSON of one product, files not checked.
   */
  publishProduct(key: string, product: unknown): void;
  /** URL of the image file itself: `<url>/images/<fingerprint>.tar.gz`. */
  imageUrl(image: TestImage): string;
  /** URL-source endpoint `<url>/direct/<fingerprint>` answering LXD-/Incus-Image-URL and -Hash headers. */
  directUrl(image: TestImage): string;
  /** Limit image file bodies to `bytesPerSecond` (applies to transfers in progress too); null: unlimited. */
  throttle(bytesPerSecond: number | null): void;
  /** Stop listening and drop every open connection. */
  close(): Promise<void>;
}

type Item = Record<'ftype' | 'path' | 'sha256', string> & { size: number };
type Product = Record<
  'aliases' | 'arch' | 'os' | 'release' | 'release_title' | 'variant',
  string
> & {
  versions: Record<string, { items: Record<string, Item> }>;
};

const FTYPES = ['lxd_combined.tar.gz', 'incus_combined.tar.gz'];

/** Start an image server on a random high port of 127.0.0.1. */
export async function startImageServer(opts: ImageServerOptions): Promise<ImageServer> {
  const products = new Map<string, Product>();
  const files = new Map<string, TestImage>(); // "/images/<fp>.tar.gz" -> image
  const requests: LoggedRequest[] = [];
  let rate: number | null = null;
  let base = '';

  const register = (image: TestImage): string => {
    const path = `images/${image.fingerprint}.tar.gz`;
    files.set(`/${path}`, image);
    return path;
  };
  // the index and products texts, made once per change (as a static server keeps its files)
  let changes = 0;
  const bodies = new Map<string, { change: number; text: string; etag: string }>();
  const body = (path: string, make: () => unknown): { text: string; etag: string } => {
    let found = bodies.get(path);
    if (found?.change !== changes) {
      const text = JSON.stringify(make());
      const etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 32)}"`;
      found = { change: changes, text, etag };
      bodies.set(path, found);
    }
    return found;
  };
  // JSON with an ETag (its sha256); a request that names the same ETag gets 304
  const json = (
    req: IncomingMessage,
    res: ServerResponse,
    head: boolean,
    path: string,
    make: () => unknown,
  ): void => {
    const { text, etag } = body(path, make);
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ETag: etag,
    });
    res.end(head ? undefined : text);
  };
  const sendFile = async (
    res: ServerResponse,
    head: boolean,
    path: string,
    size: number,
  ): Promise<void> => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    if (head) return void res.end();
    const chunk = rate === null ? 65536 : Math.max(256, Math.min(65536, Math.floor(rate / 10)));
    const throttled = async function* (src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const c of src) {
        yield c;
        if (rate !== null) await sleep((c.length / rate) * 1000);
      }
    };
    await pipeline(createReadStream(path, { highWaterMark: chunk }), throttled, res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const logged: LoggedRequest = { method, path };
    requests.push(logged);
    res.once('finish', () => (logged.status = res.statusCode));
    const head = method === 'HEAD';
    if (!head && method !== 'GET') return void res.writeHead(405).end();
    if (path === '/streams/v1/index.json') {
      const index = {
        datatype: 'image-downloads',
        path: 'streams/v1/images.json',
        format: 'products:1.0',
      };
      json(req, res, head, path, () => ({
        format: 'index:1.0',
        index: { images: { ...index, products: [...products.keys()] } },
      }));
      return;
    }
    if (path === '/streams/v1/images.json') {
      const fields = { format: 'products:1.0', datatype: 'image-downloads', content_id: 'images' };
      json(req, res, head, path, () => ({ ...fields, products: Object.fromEntries(products) }));
      return;
    }
    const image = files.get(path);
    if (image) return sendFile(res, head, image.path, image.size);
    const direct = /^\/direct\/([0-9a-f]{64})$/.exec(path)?.[1];
    const target = direct === undefined ? undefined : files.get(`/images/${direct}.tar.gz`);
    if (target) {
      const url = `${base}/images/${target.fingerprint}.tar.gz`;
      res.writeHead(200, {
        'LXD-Image-URL': url,
        'LXD-Image-Hash': target.fingerprint,
        'Incus-Image-URL': url,
        'Incus-Image-Hash': target.fingerprint,
        'Content-Length': 0,
      });
      return void res.end();
    }
    if (opts.dir !== undefined) {
      const root = resolve(opts.dir);
      const file = resolve(root, `.${decodeURIComponent(path)}`);
      const st = file.startsWith(root + sep) ? await stat(file).catch(() => null) : null;
      if (st?.isFile()) return sendFile(res, head, file, st.size);
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end(head ? undefined : 'not found\n');
  };

  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    handle(req, res).catch(() => res.destroy()); // client aborts and dropped connections end up here
  });
  await listenOnRandomPort(server);
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;

  return {
    url: base,
    port,
    requests,
    publish({ os, release, aliases, version, image }: PublishOptions): void {
      const key = `${os}:${release}:amd64:default`;
      const product: Product = products.get(key) ?? {
        aliases: '',
        arch: 'amd64',
        os,
        release,
        release_title: release,
        variant: 'default',
        versions: {},
      };
      const all = new Set([...product.aliases.split(',').filter((a) => a !== ''), ...aliases]);
      product.aliases = [...all].join(',');
      const path = register(image);
      const item = (ftype: string): [string, Item] => [
        ftype,
        { ftype, path, sha256: image.fingerprint, size: image.size },
      ];
      product.versions[version] = { items: Object.fromEntries(FTYPES.map(item)) };
      products.set(key, product);
      changes++;
    },
    publishProduct(key: string, product: unknown): void {
      products.set(key, product as Product);
      changes++;
    },
    imageUrl: (image: TestImage): string => `${base}/${register(image)}`,
    directUrl(image: TestImage): string {
      register(image);
      return `${base}/direct/${image.fingerprint}`;
    },
    throttle(bytesPerSecond: number | null): void {
      rate = bytesPerSecond !== null && bytesPerSecond > 0 ? bytesPerSecond : null;
    },
    async close(): Promise<void> {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
