import { parseValue } from '../../wire/parse.js';
import { Redactor, secretValues } from '../../wire/redact.js';
import {
  requestUrl,
  type ApiRequest,
  type Reply,
  type Send,
  type Target,
} from '../../wire/request.js';
import { OperationSchema } from '../../wire/schemas.js';
import { toJson } from '../../wire/validate.js';
import { waitOperation } from '../../operation/wait.js';
import type { Endpoint } from './endpoint.js';
import { describe, open, readEnvelope, readText } from './http.js';

/** One REST request to one endpoint. */
export interface Exchange<T> {
  endpoint: Endpoint;
  target: Target;
  api: ApiRequest<T>;
  signal: AbortSignal;
  /** Sends at once: waits for the operation when the request asks to (`wait`). */
  send: Send;
  /** Literal secrets to mask in errors and the trace, besides those of the body. */
  secrets?: readonly string[] | undefined;
}

/**
 * One REST exchange: the request sent (JSON body, `If-Match`), the envelope read, the operation
 * waited for when the request asks, and the data checked against the request's schema.
 */
export async function exchange<T>(ex: Exchange<T>): Promise<Reply<T>> {
  const { endpoint, target, api, signal } = ex;
  const redactor = new Redactor([...secretValues(api.body), ...(ex.secrets ?? [])]);
  const body = api.body === undefined ? undefined : toJson(api.body);
  const call = {
    method: api.method,
    url: requestUrl(api, target.project),
    redactor,
    body,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(api.etag === undefined ? {} : { 'If-Match': api.etag }),
    },
  };
  const response = await open(endpoint, call, signal);
  const text = await readText(response, signal);
  const command = (): string[] => describe(endpoint, call);
  const envelope = readEnvelope({ text, response, command, remote: target.remote, redactor });
  const etag = response.headers.etag;
  let metadata = envelope.metadata;
  if (api.wait && envelope.type === 'async') {
    const op = parseValue(OperationSchema, metadata, text, { remote: target.remote });
    metadata = await waitOperation({
      send: ex.send,
      target,
      id: op.id,
      signal,
      command: command(),
    });
  }
  return { data: parseValue(api.schema, metadata, text, { remote: target.remote }), etag };
}
