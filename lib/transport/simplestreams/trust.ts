import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

// Where Go looks on Linux: the first bundle that reads, then every file of the directories.
const CERT_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];
const CERT_DIRS = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

const PEM = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

// Adds the certificate blocks of a PEM text (TLS skips a block that does not parse, as Go does).
function addCertificates(found: Set<string>, text: string): void {
  for (const pem of text.match(PEM) ?? []) found.add(pem);
}

// A directory's files, without the symlinks that point inside it (the hash links of c_rehash).
async function uniqueEntries(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const kept = await Promise.all(
    entries.map(async (entry) => {
      if (!entry.isSymbolicLink()) return entry.name;
      const target = await readlink(join(dir, entry.name)).catch(() => undefined);
      return target !== undefined && !target.includes('/') ? undefined : entry.name;
    }),
  );
  return kept.filter((name) => name !== undefined).sort();
}

/**
 * The CA certificates `lxc` and `incus` trust (Go's system roots on Linux): `SSL_CERT_FILE`, else
 * the first system bundle that reads; plus every file of `SSL_CERT_DIR` (colon-separated), else
 * of the system directories. Read from `env`, the client's environment. PEM, without duplicates.
 */
export async function systemRoots(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string[]> {
  const found = new Set<string>();
  const files = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : CERT_FILES;
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    addCertificates(found, text);
    break;
  }
  const dirs = env.SSL_CERT_DIR ? env.SSL_CERT_DIR.split(':') : CERT_DIRS;
  for (const dir of dirs) {
    const names = await uniqueEntries(dir);
    const texts = await Promise.all(
      names.map((name) => readFile(join(dir, name), 'utf8').catch(() => '')),
    );
    for (const text of texts) addCertificates(found, text);
  }
  return [...found];
}
