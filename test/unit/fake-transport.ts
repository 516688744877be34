import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Client, type ClientOptions, createClient } from '../../lib/index.js';
import type { Transport } from '../../lib/transport/transport.js';
import { parseJson } from '../../lib/wire/parse.js';
import {
  type Download,
  type Probe,
  type ProbeReply,
  type Relay,
  type Spool,
  type SpoolRequest,
  type Reply,
  type Request,
  requestUrl,
  type Send,
  type Target,
  type Upload,
} from '../../lib/wire/request.js';
import type { Remote } from '../../lib/wire/schemas.js';

/** A reply of the fake: raw output text, the same with an ETag (as REST gives), or an error. */
export type FakeReply = string | Error | { body: string; etag?: string };

/**
 * What a fake answers: a reply, or a function that makes one (it may take its time, and gets the
 * request's signal).
 */
export type FakeAnswer =
  | FakeReply
  | ((key: string, request: Request, signal: AbortSignal) => FakeReply | Promise<FakeReply>);

/** One request the fake saw. */
export interface Seen {
  /** `GET local:/1.0/images/<fp>?project=p`, or `cli image list local: --format=json`. */
  key: string;
  target: Target;
  request: Request;
}

/**
 * The key of a request: `<METHOD> <remote>:<path and query>` for its REST form (the CLI form
 * when the fake prefers the CLI and the request has one: `cli <argv…>`, with `--project=`).
 */
export function requestKey(target: Target, request: Request, prefer: 'cli' | 'rest'): string {
  if (request.cli && (prefer === 'cli' || !request.api)) {
    const project = target.project === undefined ? [] : [`--project=${target.project}`];
    return ['cli', ...request.cli.args, ...project].join(' ');
  }
  if (!request.api) throw new Error('a request with neither form');
  return `${request.api.method} ${target.remote}:${requestUrl(request.api, target.project)}`;
}

/**
 * A transport for unit tests: answers requests by key instead of by call order, and records
 * what it saw (and how many requests were in flight at once). An unknown key fails the call
 * with the key in the message.
 */
export class FakeTransport implements Transport {
  readonly seen: Seen[] = [];
  readonly uploads: { target: Target; upload: Upload }[] = [];
  readonly downloads: { target: Target; download: Download }[] = [];
  readonly relays: { from: Target; relay: Relay }[] = [];
  private readonly answers = new Map<string, FakeAnswer[]>();
  /** Requests in flight now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** How many times the remotes were listed. */
  remoteListings = 0;
  remotes: Remote[] = [
    { name: 'local', url: 'unix://', protocol: 'lxd', public: false },
    { name: 'images', url: 'https://images.example', protocol: 'simplestreams', public: true },
    { name: 'r', url: 'https://127.0.0.1:8443', protocol: 'lxd', public: false },
  ];
  /** The fingerprint an upload resolves to (or the error it rejects with). */
  uploaded: string | Error = '';
  /** The error a relay rejects with (it resolves when this is unset). */
  relayed: Error | undefined;
  /** The files a download writes (name → content). */
  downloadFiles: Record<string, string> = {};
  readonly spools: { target: Target; spool: SpoolRequest; closed: boolean }[] = [];
  /** The error a spool rejects with (it resolves to a spool of the file `/spooled` when unset). */
  spooled: Error | undefined;
  readonly probes: Probe[] = [];
  /** What a probe of an image URL answers. */
  probed: ProbeReply | Error = { status: 404, headers: {} };

  constructor(readonly name: 'cli' | 'rest' = 'cli') {}

  /** True when `key` has an answer. */
  has(key: string): boolean {
    return this.answers.has(key);
  }

  /** Answers `key` with `answers`; several answers for one key are used in turn, the last one kept. */
  on(key: string, ...answers: FakeAnswer[]): this {
    this.answers.set(key, [...(this.answers.get(key) ?? []), ...answers]);
    return this;
  }

  /** The keys seen, in order. */
  keys(): string[] {
    return this.seen.map((s) => s.key);
  }

  /** The requests seen under `key`, in order. */
  sent(key: string): Request[] {
    return this.seen.filter((s) => s.key === key).map((s) => s.request);
  }

  /** The body of the `n`th request seen under `key`. */
  body(key: string, n = 0): unknown {
    return this.sent(key)[n]?.api?.body;
  }

  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    const transfer = this.transfer(target, request);
    if (transfer) return { data: (await transfer) as T };
    if (request.cli?.args[0] === 'remote' && request.cli.args[1] === 'list') {
      this.remoteListings++;
      return { data: this.remotes as T };
    }
    await Promise.resolve();
    signal.throwIfAborted();
    const key = requestKey(target, request, this.name);
    this.seen.push({ key, target, request });
    const queue = this.answers.get(key);
    if (!queue?.length) throw new Error(`FakeTransport: no answer for ${key}`);
    const next = queue.length > 1 ? queue.shift() : queue[0];
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const reply = typeof next === 'function' ? await next(key, request, signal) : next;
      if (reply === undefined) throw new Error(`FakeTransport: no answer for ${key}`);
      if (reply instanceof Error) throw reply;
      const { body, etag } = typeof reply === 'string' ? { body: reply, etag: undefined } : reply;
      const data =
        request.cli && (this.name === 'cli' || !request.api)
          ? request.cli.parse(body)
          : parseJson(request.api!.schema, body.trim() === '' ? 'null' : body, {
              remote: target.remote,
            });
      return etag === undefined ? { data } : { data, etag };
    } finally {
      this.inFlight--;
    }
  }

  // Records a transfer and answers it: uploads with `uploaded`, downloads with `downloadFiles`.
  private transfer(target: Target, request: Request): Promise<unknown> | undefined {
    if (request.upload) {
      this.uploads.push({ target, upload: request.upload });
      const { uploaded } = this;
      if (uploaded instanceof Error) return Promise.reject(uploaded);
      return Promise.resolve({ fingerprint: uploaded, since: new Date(0) });
    }
    if (request.download) return this.download(target, request.download);
    if (request.spool) return this.spool(target, request.spool);
    if (request.probe) {
      this.probes.push(request.probe);
      return this.probed instanceof Error
        ? Promise.reject(this.probed)
        : Promise.resolve(this.probed);
    }
    if (request.relay) {
      this.relays.push({ from: target, relay: request.relay });
      if (this.relayed) return Promise.reject(this.relayed);
      return Promise.resolve({ fingerprint: request.relay.fingerprint, since: new Date(0) });
    }
    return undefined;
  }

  // Records a spool; its uploads read the file `/spooled` (a fake path: uploads are recorded only).
  private spool(target: Target, spool: SpoolRequest): Promise<Spool> {
    const entry = { target, spool, closed: false };
    this.spools.push(entry);
    if (this.spooled) return Promise.reject(this.spooled);
    return Promise.resolve({
      whole: Promise.resolve(),
      source: () => ({ kind: 'files', files: ['/spooled'] }),
      close: () => {
        entry.closed = true;
      },
    });
  }

  private async download(target: Target, download: Download): Promise<string[]> {
    this.downloads.push({ target, download });
    await mkdir(download.dir, { recursive: true });
    for (const [name, content] of Object.entries(this.downloadFiles))
      await writeFile(join(download.dir, name), content);
    return Object.keys(this.downloadFiles);
  }
}

/** A fresh fake transport and a client that uses it. */
export function fakeClient(
  options: Omit<ClientOptions, 'transport' | 'runner'> = {},
  prefer: 'cli' | 'rest' = 'cli',
): { fake: FakeTransport; client: Client } {
  const fake = new FakeTransport(prefer);
  return { fake, client: createClient({ ...options, transport: fake }) };
}

/** A fresh fake transport and its `send`, for the functions that take a `Send`. */
export function fakeSend(): { fake: FakeTransport; send: Send } {
  const fake = new FakeTransport();
  return { fake, send: (target, request, signal) => fake.send(target, request, signal) };
}
