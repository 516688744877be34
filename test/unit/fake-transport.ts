import { createClient, type Client, type ClientOptions } from '../../lib/index.js';
import type { Remote } from '../../lib/schemas.js';
import { parseJson } from '../../lib/parse.js';
import { requestUrl, type Request, type Target } from '../../lib/requests/request.js';
import type {
  Download,
  Relay,
  Reply,
  Transport,
  Upload,
} from '../../lib/transport/transport.js';

/** What a fake answers: raw output text (parsed as the real transport would), or an error. */
export type FakeAnswer = string | Error | ((key: string, request: Request) => string | Error);

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
 * what it saw. An unknown key fails the test with the key in the message.
 */
export class FakeTransport implements Transport {
  readonly seen: Seen[] = [];
  readonly uploads: { target: Target; upload: Upload }[] = [];
  private readonly answers = new Map<string, FakeAnswer[]>();
  remotes: Remote[] = [
    { name: 'local', url: 'unix://', protocol: 'lxd', public: false },
    { name: 'images', url: 'https://images.example', protocol: 'simplestreams', public: true },
    { name: 'r', url: 'https://127.0.0.1:8443', protocol: 'lxd', public: false },
  ];
  /** The fingerprint an upload resolves to. */
  uploaded = '';

  constructor(readonly name: 'cli' | 'rest' = 'cli') {}

  /** Answers `key` with `answer`; several answers for one key are used in turn, the last one kept. */
  on(key: string, ...answers: FakeAnswer[]): this {
    this.answers.set(key, [...(this.answers.get(key) ?? []), ...answers]);
    return this;
  }

  /** The keys seen, in order. */
  keys(): string[] {
    return this.seen.map((s) => s.key);
  }

  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    await Promise.resolve();
    signal.throwIfAborted();
    const key = requestKey(target, request, this.name);
    this.seen.push({ key, target, request });
    const queue = this.answers.get(key);
    if (!queue?.length) throw new Error(`FakeTransport: no answer for ${key}`);
    const next = queue.length > 1 ? queue.shift() : queue[0];
    const answer = typeof next === 'function' ? next(key, request) : next;
    if (answer instanceof Error) throw answer;
    if (request.cli && (this.name === 'cli' || !request.api)) return { data: request.cli.parse(answer ?? '') };
    const api = request.api!;
    return { data: parseJson(api.schema, (answer ?? '').trim() === '' ? 'null' : answer ?? '') };
  }

  upload(target: Target, upload: Upload): Promise<string> {
    this.uploads.push({ target, upload });
    return Promise.resolve(this.uploaded);
  }

  download(_target: Target, _download: Download): Promise<string[]> {
    return Promise.reject(new Error('FakeTransport: download is not faked'));
  }

  relay(_from: Target, _relay: Relay): Promise<void> {
    return Promise.reject(new Error('FakeTransport: relay is not faked'));
  }

  listRemotes(): Promise<Remote[]> {
    return Promise.resolve(this.remotes);
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
