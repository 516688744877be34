import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { interruption } from '../../wire/deadline.js';
import { errorFromMessage } from '../../wire/classify.js';
import { LxcError, ParseError, RemoteError, type LxcErrorDetails } from '../../wire/errors.js';
import type { Redactor } from '../../wire/redact.js';
import { trace, tracing } from '../../wire/trace.js';
import type { Endpoint } from './endpoint.js';

/** One HTTP exchange, as data. */
export interface HttpCall {
  method: string;
  /** Path and query string. */
  url: string;
  headers?: OutgoingHttpHeaders | undefined;
  /** A JSON text, or a stream (an upload). */
  body?: string | Readable | undefined;
  /** Masks secrets in what is traced and kept in errors. */
  redactor: Redactor;
  /** Called once a streamed body has been sent whole. */
  onSent?: (() => void) | undefined;
}

/** LXD's answer envelope. */
export const EnvelopeSchema = z.looseObject({
  type: z.string(),
  status_code: z.number().optional(),
  error_code: z.number().optional(),
  error: z.string().optional(),
  operation: z.string().optional(),
  metadata: z.unknown().optional(),
});
/** LXD's answer envelope. */
export type Envelope = z.output<typeof EnvelopeSchema>;

// Socket errors that mean the remote went away or cannot be reached.
const GONE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ENOENT|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|ERR_SSL|CERT|certificate|self.signed|TLS|pinned/i;

// True for the envelope of a success answer: an object whose type is `sync` or `async`.
function isSuccess(data: unknown): data is Envelope {
  if (typeof data !== 'object' || data === null) return false;
  const { type } = data as { type?: unknown };
  return type === 'sync' || type === 'async';
}

/** The command an error names: `GET local:/1.0/images/<fp>`. */
export function describe(endpoint: Endpoint, call: HttpCall): string[] {
  return [call.method, call.redactor.text(`${endpoint.label}:${call.url}`)];
}

// Turns a failure to exchange (not an LXD answer) into an LxcError.
function transportError(error: unknown, details: LxcErrorDetails, signal: AbortSignal): LxcError {
  const interrupted = interruption(signal, details);
  if (interrupted) return interrupted;
  if (error instanceof LxcError) return error;
  const text =
    error instanceof Error
      ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`
      : String(error);
  const reason = error instanceof Error ? error.message : String(error);
  const withCause = { ...details, cause: error };
  return GONE.test(text)
    ? new RemoteError(
        `${details.remote ?? 'the remote'} could not be reached: ${reason}`,
        withCause,
      )
    : new LxcError(`the request failed: ${reason}`, withCause);
}

/**
 * Sends one request to an endpoint and resolves when the answer's headers arrive. Aborting
 * `signal` destroys the request (and the answer's stream).
 */
export function open(
  endpoint: Endpoint,
  call: HttpCall,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const started = performance.now();
  // worked out only when needed (an error, or a trace): this is the hot path of every call
  let described: string[] | undefined;
  const command = (): string[] => (described ??= describe(endpoint, call));
  const details = (): LxcErrorDetails => ({
    command: command(),
    remote: endpoint.label,
    durationMs: performance.now() - started,
  });
  return new Promise((resolve, reject) => {
    const early = interruption(signal, details());
    if (early) {
      reject(early);
      return;
    }
    const options = {
      method: call.method,
      path: call.url,
      headers: { 'User-Agent': 'lxc-images', ...call.headers },
      agent: endpoint.agent,
      ...(endpoint.kind === 'unix'
        ? { socketPath: endpoint.socketPath }
        : { host: endpoint.host, port: endpoint.port }),
    };
    const req = endpoint.kind === 'unix' ? httpRequest(options) : httpsRequest(options);
    const onAbort = (): void => {
      req.destroy(interruption(signal, details()));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      signal.removeEventListener('abort', onAbort);
      const failure = transportError(call.redactor.error(error), details(), signal);
      if (tracing()) trace(command(), failure.name, performance.now() - started);
      reject(failure);
    };
    req.once('error', fail);
    req.once('response', (response) => {
      response.once('close', () => {
        signal.removeEventListener('abort', onAbort);
      });
      if (tracing()) trace(command(), String(response.statusCode), performance.now() - started);
      resolve(response);
    });
    const { body } = call;
    if (body === undefined || typeof body === 'string') {
      req.end(body);
      return;
    }
    pipeline(body, req).then(
      () => call.onSent?.(),
      (error: unknown) => {
        fail(error); // the body's own failure, before the destroyed request's
        req.destroy();
      },
    );
  });
}

/** Reads a whole (small) answer body as text. */
export function readText(response: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    const cut = (error?: Error): void => {
      const reason = error?.message ?? 'the connection closed';
      reject(
        interruption(signal) ??
          new RemoteError(`the answer was cut short: ${reason}`, { cause: error }),
      );
    };
    response.once('error', cut);
    response.once('close', () => {
      if (!response.complete) cut();
    });
  });
}

/**
 * Reads LXD's envelope. An error answer (or an HTTP error status) becomes the classified
 * {@link LxcError} with LXD's own message, the status and the (redacted) body.
 */
/** An answer to read: its body and response, and what to say about it in an error. */
export interface Answer {
  text: string;
  response: IncomingMessage;
  /** The request, as an error names it: `GET local:/1.0/images/<fp>` (worked out only then). */
  command: () => string[];
  remote: string;
  redactor: Redactor;
}

export function readEnvelope({ text, response, command, remote, redactor }: Answer): Envelope {
  const status = response.statusCode ?? 0;
  // the body is redacted only for an error: it can be megabytes (a listing) on the hot path
  const details = (): LxcErrorDetails => ({
    command: command(),
    remote,
    status,
    stdout: redactor.text(text),
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ParseError(
      `the answer is not JSON: ${(error as Error).message}`,
      redactor.text(text),
      {
        ...details(),
        cause: error,
      },
    );
  }
  // the hot path: a success answer needs only its type and metadata, no schema walk
  if (status < 400 && isSuccess(data)) return data;
  const parsed = EnvelopeSchema.safeParse(data);
  if (!parsed.success) {
    throw new ParseError('the answer is not an LXD envelope', redactor.text(text), {
      ...details(),
      cause: parsed.error,
    });
  }
  const envelope = parsed.data;
  if (envelope.type === 'error' || status >= 400) {
    const code = envelope.error_code ?? status;
    const message = redactor.text(envelope.error ?? `the server answered ${status}`);
    throw errorFromMessage(message, { ...details(), status: code, stderr: message }, code);
  }
  return envelope;
}
