import { createHash } from 'node:crypto';
import { get, type Agent } from 'node:https';

/**
 * A tree of `count` products with `versions` versions each, one unified image per version
 * listed under both clients' file types (300 × 3 = 900 images by default).
 */
export function benchTree(count = 300, versions = 3): Record<string, unknown> {
  const products: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const entries = Array.from({ length: versions }, (_, v): [string, unknown] => {
      const sha256 = createHash('sha256').update(`bench-${i}-${v}`).digest('hex');
      const item = { path: `images/${sha256}.tar.gz`, sha256, size: 1000 + i };
      const items = Object.fromEntries(
        ['lxd_combined.tar.gz', 'incus_combined.tar.gz'].map((ftype) => [
          ftype,
          { ftype, ...item },
        ]),
      );
      return [`202611${String(10 + v)}_0000`, { items }];
    });
    const os = `benchos${i}`;
    products[`${os}:1.0:amd64:default`] = {
      aliases: `${os}/1.0,${os}`,
      arch: 'amd64',
      os,
      release: '1.0',
      release_title: '1.0',
      variant: 'default',
      versions: Object.fromEntries(entries),
    };
  }
  return products;
}

/** A keep-alive HTTPS GET of one file, parsed: what any client must do at least once. */
export function rawGetJson(agent: Agent): (url: string) => Promise<unknown> {
  return (url) =>
    new Promise((resolve, reject) => {
      get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
        res.on('error', reject);
      }).on('error', reject);
    });
}
