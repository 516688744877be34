import { isIP } from 'node:net';

// The first variable that is set and not empty (Go's getEnvAny).
function first(...values: (string | undefined)[]): string {
  return values.find((value) => value !== undefined && value !== '') ?? '';
}

// Hosts a proxy never applies to (Go's http.ProxyFromEnvironment).
function loopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

// True when NO_PROXY names `host`: `*`, the host itself, or a domain it is part of.
function excluded(host: string, noProxy: string): boolean {
  return noProxy
    .split(',')
    .map((entry) => entry.trim().toLowerCase().replace(/:\d+$/, ''))
    .filter((entry) => entry !== '')
    .some((entry) => {
      if (entry === '*') return true;
      const domain = entry.replace(/^\*?\./, '');
      return host === domain || host.endsWith(`.${domain}`);
    });
}

/**
 * True when the client (`lxc`, whose Go HTTP client reads HTTPS_PROXY and NO_PROXY) would reach
 * `url` through a proxy: the reader leaves such a remote to the CLI.
 */
export function proxied(url: URL, env: Readonly<Record<string, string | undefined>>): boolean {
  const proxy = first(env.HTTPS_PROXY, env.https_proxy);
  if (proxy === '') return false;
  const host = url.hostname.toLowerCase();
  if (loopback(host)) return false;
  return !excluded(host, first(env.NO_PROXY, env.no_proxy));
}
