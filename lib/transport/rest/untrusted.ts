import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { ValidationError } from '../../errors.js';
import { parseValue } from '../../parse.js';
import { Redactor } from '../../redact.js';
import { apiPath, requestUrl, type Target } from '../../requests/request.js';
import { ImageSchema, type Image, type Remote } from '../../schemas.js';
import type { Download } from '../transport.js';
import { downloadImage } from './download.js';
import {
  configDir,
  globalConfigDir,
  hostPort,
  pinnedTls,
  readIfThere,
  type Endpoint,
  type Environment,
  type Flavor,
} from './endpoint.js';
import { describe, open, readEnvelope, readText, type HttpCall } from './http.js';

/** One read of a private image by a client that the server does not trust. */
export interface SecretRead {
  /** The remote, as the client's config describes it. */
  remote: Remote;
  /** Its name and project (sent as `?project=`). */
  target: Target;
  /** The secret from `images.createSecret` on a trusted client. */
  secret: string;
  /** Stops the read. */
  signal: AbortSignal;
}

/**
 * Reads private images of servers that do not trust this client, with a secret, over HTTPS
 * directly whichever transport the client uses (no `lxc`/`incus` command takes a secret): no
 * client certificate is sent, and the server must present the certificate pinned in the
 * client config's `servercerts/<remote>.crt` (or, without one, a certificate the system trusts).
 * The secret travels as `?secret=` and is redacted from every error field and the trace.
 */
export class UntrustedReader {
  /**
   * @param flavor `lxd` or `incus`: which client config directory holds the pinned certificates.
   * @param env the environment that names that directory (`LXD_CONF`, `INCUS_CONF`, `HOME`).
   */
  constructor(
    private readonly flavor: Flavor,
    private readonly env: Environment,
  ) {}

  /** `GET /1.0/images/<fp>?secret=…`: the image (a wrong or used-up secret is a NotFoundError). */
  async image(read: SecretRead, fingerprint: string): Promise<Image> {
    const endpoint = await this.endpoint(read.remote);
    const path = apiPath('1.0', 'images', fingerprint);
    const query = { secret: read.secret };
    const call: HttpCall = {
      method: 'GET',
      url: requestUrl({ method: 'GET', path, query, schema: ImageSchema }, read.target.project),
      redactor: new Redactor([read.secret]),
    };
    const response = await open(endpoint, call, read.signal);
    const text = await readText(response, read.signal);
    const remote = read.target.remote;
    const envelope = readEnvelope(text, response, describe(endpoint, call), remote, call.redactor);
    return parseValue(ImageSchema, envelope.metadata, call.redactor.text(text), { remote });
  }

  /** `GET /1.0/images/<fp>/export?secret=…` into `download.dir`; the data's sha256 is checked. */
  async download(read: SecretRead, download: Download): Promise<string[]> {
    const endpoint = await this.endpoint(read.remote);
    return downloadImage(endpoint, read.target, { ...download, secret: read.secret }, read.signal);
  }

  // HTTPS to the remote without a client certificate, pinned to its server certificate.
  private async endpoint(remote: Remote): Promise<Endpoint> {
    if (remote.protocol === 'simplestreams' || !remote.url.startsWith('https://'))
      throw new ValidationError(
        'secret',
        `is for an LXD or Incus https:// remote that does not trust this client; "${remote.name}" is ${remote.url}`,
      );
    const dir = remote.global
      ? globalConfigDir(this.flavor, this.env)
      : configDir(this.flavor, this.env);
    const pin = await readIfThere(join(dir, 'servercerts', `${remote.name}.crt`));
    const agent = new HttpsAgent({
      keepAlive: false,
      minVersion: 'TLSv1.2',
      ...(pin === undefined ? {} : pinnedTls(pin)),
    });
    return {
      kind: 'https',
      ...hostPort(remote.url),
      agent,
      flavor: this.flavor,
      label: remote.name,
    };
  }
}
