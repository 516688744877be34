import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createExecaRunner } from '../transport/cli/runner.js';

const openssl = createExecaRunner({ binary: 'openssl', env: {} });

/** A throwaway CA (certificate path) and a server certificate/key (PEM text) for 127.0.0.1. */
export interface TestCa {
  /** Path of the CA certificate: pass it as SSL_CERT_FILE to the daemon and the client. */
  caCert: string;
  /** Server certificate (PEM) with subjectAltName=IP:127.0.0.1, signed by the CA. */
  cert: string;
  /** Server private key (PEM, unencrypted). */
  key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Create `<dir>/ca.crt`, `ca.key`, `server.crt`, `server.key` with openssl; valid for 7 days. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  const p = (name: string): string => join(dir, name);
  await openssl([
    'req',
    '-x509',
    ...EC,
    '-days',
    '7',
    '-subj',
    '/CN=lxc-images test CA',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    '-new',
    ...EC,
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
  ]);
  await writeFile(
    p('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    p('server.ext'),
    '-out',
    p('server.crt'),
  ]);
  return {
    caCert: p('ca.crt'),
    cert: await readFile(p('server.crt'), 'utf8'),
    key: await readFile(p('server.key'), 'utf8'),
  };
}
