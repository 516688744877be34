import { request } from 'node:https';
import { interruption } from '../wire/deadline.js';
import { RemoteError } from '../wire/errors.js';
import type { Probe, ProbeReply } from '../wire/request.js';
import type { Transport } from './transport.js';
import { systemRoots } from './simplestreams/trust.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Sends `HEAD <url>` as a daemon does before a URL import, trusting the certificate authorities
 * `lxc` trusts (the system's, `SSL_CERT_FILE`, `SSL_CERT_DIR` of `env`), and resolves to the
 * status and headers.
 */
export async function probeUrl(probe: Probe, env: Env, signal: AbortSignal): Promise<ProbeReply> {
  const roots = await systemRoots(env);
  const command = ['HEAD', probe.url];
  return new Promise((resolve, reject) => {
    const req = request(probe.url, {
      method: 'HEAD',
      headers: { 'User-Agent': 'lxc-images', ...probe.headers },
      ...(roots.length > 0 ? { ca: roots } : {}),
      signal,
    });
    req.once('response', (response) => {
      response.resume();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers))
        if (typeof value === 'string') headers[name] = value;
      resolve({ status: response.statusCode ?? 0, headers });
    });
    req.once('error', (error) => {
      const details = { command, cause: error };
      reject(
        interruption(signal, details) ??
          new RemoteError(`${probe.url} could not be reached: ${error.message}`, details),
      );
    });
    req.end();
  });
}

/** A transport whose `probe` requests are sent from this process, the rest as before. */
export function withProbes(inner: Transport, env: Env): Transport {
  return {
    name: inner.name,
    send: async (target, req, signal) =>
      req.probe === undefined
        ? inner.send(target, req, signal)
        : { data: (await probeUrl(req.probe, env, signal)) as never },
  };
}
