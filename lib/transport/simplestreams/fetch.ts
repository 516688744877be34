import type { IncomingMessage } from 'node:http';
import { request, type Agent } from 'node:https';
import { createGunzip } from 'node:zlib';
import { interruption } from '../../wire/deadline.js';
import { RemoteError, type LxcError, type LxcErrorDetails } from '../../wire/errors.js';
import { trace, tracing } from '../../wire/trace.js';

/** The validators of a document already held, sent so that the server may answer 304. */
export interface Validators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/** A document as fetched: new (200) with its text and validators, or unchanged (304). */
export type Fetched =
  | { status: 200; text: string; etag?: string | undefined; lastModified?: string | undefined }
  | { status: 304 };

/** How to reach a remote's files. */
export interface FetchContext {
  /** A keep-alive HTTPS agent trusting what the client trusts. */
  agent: Agent;
  /** The remote's name, for errors. */
  remote: string;
  signal: AbortSignal;
}

// A products file is a few MB; a server that sends far more is not a simplestreams server.
const MAX_BYTES = 256 * 1024 * 1024;
const MAX_REDIRECTS = 10;

/** A URL as errors may show it: without its password. */
export function shownUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

// The request headers: conditional ones, gzip (as Go's client asks), basic auth from the URL.
function headersFor(url: URL, validators: Validators): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': 'lxc-images', 'Accept-Encoding': 'gzip' };
  if (validators.etag !== undefined) headers['If-None-Match'] = validators.etag;
  if (validators.lastModified !== undefined) headers['If-Modified-Since'] = validators.lastModified;
  if (url.username !== '') {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
  }
  return headers;
}

// Sends one GET and resolves when the answer's headers arrive.
function open(url: URL, validators: Validators, context: FetchContext): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
    const req = request(target, { agent: context.agent, headers: headersFor(url, validators) });
    const onAbort = (): void => {
      req.destroy(new Error('aborted'));
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    req.once('error', (error) => {
      context.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    req.once('response', (response) => {
      response.once('close', () => {
        context.signal.removeEventListener('abort', onAbort);
      });
      resolve(response);
    });
    req.end();
  });
}

// Reads an answer's body (gunzipped when it says so) as text, within MAX_BYTES.
async function readBody(response: IncomingMessage): Promise<string> {
  const gzip = /^\s*gzip\s*$/i.test(response.headers['content-encoding'] ?? '');
  const source = gzip ? response.pipe(createGunzip()) : response;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) {
      response.destroy();
      throw new Error(`the document is larger than ${MAX_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  if (!response.complete) throw new Error('the answer was cut short');
  return Buffer.concat(chunks).toString('utf8');
}

// One GET, following redirects as Go's client does (basic auth only to the same host).
async function exchange(url: URL, validators: Validators, context: FetchContext): Promise<Fetched> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await open(current, validators, context);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
      response.resume();
      const next = new URL(location, current);
      if (next.protocol !== 'https:' || hop >= MAX_REDIRECTS)
        throw new Error(`stopped after a redirect to ${shownUrl(next)}`);
      if (next.host !== current.host) next.username = next.password = '';
      current = next;
      continue;
    }
    if (status === 304) {
      response.resume();
      return { status: 304 };
    }
    if (status !== 200) {
      response.resume();
      throw Object.assign(new Error(`${status} ${response.statusMessage ?? ''}`.trim()), {
        status,
      });
    }
    const text = await readBody(response);
    const { etag } = response.headers;
    return { status: 200, text, etag, lastModified: response.headers['last-modified'] };
  }
}

/**
 * GETs one file of a simplestreams tree over a keep-alive connection, conditionally when
 * `validators` are given. Every failure is a {@link RemoteError} naming the remote (an untrusted
 * certificate included), or the call's {@link AbortError}/{@link TimeoutError}.
 */
export async function fetchText(
  url: URL,
  validators: Validators,
  context: FetchContext,
): Promise<Fetched> {
  const started = performance.now();
  const command = ['GET', shownUrl(url)];
  const details = (): LxcErrorDetails => ({
    command,
    remote: context.remote,
    durationMs: performance.now() - started,
  });
  const early = interruption(context.signal, details());
  if (early) throw early;
  try {
    const fetched = await exchange(url, validators, context);
    if (tracing()) trace(command, String(fetched.status), performance.now() - started);
    return fetched;
  } catch (error) {
    throw failure(error, details(), context);
  }
}

// The LxcError for a failed GET.
function failure(error: unknown, details: LxcErrorDetails, context: FetchContext): LxcError {
  const interrupted = interruption(context.signal, { ...details, cause: error });
  if (interrupted) return interrupted;
  const reason = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: number } | undefined)?.status;
  const message = `the simplestreams remote "${context.remote}" could not be read: ${details.command?.join(' ') ?? ''}: ${reason}`;
  return new RemoteError(message, { ...details, status, cause: error });
}
