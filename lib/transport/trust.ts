import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// What Go's crypto/x509 reads on Linux, where lxc and incus take their roots from.
const BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];
const DIRECTORIES = ['/etc/ssl/certs', '/etc/pki/tls/certs'];
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

// The PEM blocks of the files of a directory (unreadable entries are skipped).
async function directoryBlocks(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const texts = await Promise.all(
    names.map((name) => readFile(join(dir, name), 'utf8').catch(() => '')),
  );
  return texts.flatMap((text) => text.match(PEM_BLOCK) ?? []);
}

/**
 * The certificate authorities `lxc` and `incus` trust, as Go finds them on Linux: the file
 * `SSL_CERT_FILE` names (else the first system bundle that can be read), and the files of the
 * directories `SSL_CERT_DIR` names (colon-separated; else the system's). PEM blocks, each once.
 */
export async function trustedRoots(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string[]> {
  const blocks: string[] = [];
  for (const bundle of env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : BUNDLES) {
    const text = await readFile(bundle, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    blocks.push(...(text.match(PEM_BLOCK) ?? []));
    break;
  }
  const dirs = env.SSL_CERT_DIR ? env.SSL_CERT_DIR.split(':') : DIRECTORIES;
  for (const dir of dirs) blocks.push(...(await directoryBlocks(dir)));
  return [...new Set(blocks)];
}
