import { get } from 'node:https';

export { sha256Files } from '../../lib/testing/make-image.js';

/** GETs a URL as an untrusted client (no client certificate) and resolves to status and body. */
export function untrustedGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    }).on('error', reject);
  });
}
