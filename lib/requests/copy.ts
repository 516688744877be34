import { apiPath, type ApiRequest } from '../wire/request.js';
import { OperationSchema, type Operation } from '../wire/schemas.js';

/** How the target reaches the source: its addresses, certificate and protocol. */
export interface SourceInfo {
  servers: string[];
  certificate: string;
  protocol: string;
}

/** What a pull fetches: a fingerprint (or a public alias), with a secret for a private image. */
export interface PullImage {
  fingerprint: string;
  secret?: string | undefined;
  project?: string | undefined;
}

/** The flags of a copy that go into the target's request. */
export interface CopyBody {
  public: boolean;
  autoUpdate: boolean;
  type: 'container' | 'virtual-machine';
}

/** `POST /1.0/images` on the target: download `fingerprint` (or a public alias) from the source. */
export function pullRequest(
  source: SourceInfo,
  server: string,
  image: PullImage,
  copy: CopyBody,
): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: '/1.0/images',
    body: {
      source: {
        type: 'image',
        mode: 'pull',
        server,
        protocol: source.protocol,
        certificate: source.certificate,
        fingerprint: image.fingerprint,
        ...(image.secret === undefined ? {} : { secret: image.secret }),
        ...(image.project === undefined ? {} : { project: image.project }),
        ...(copy.type === 'virtual-machine' ? { image_type: copy.type } : {}),
      },
      public: copy.public,
      auto_update: copy.autoUpdate,
    },
    schema: OperationSchema,
  };
}

/** `POST /1.0/images` on the target in push mode: a token operation whose metadata has a secret. */
export function pushTokenRequest(
  fingerprint: string,
  copy: Pick<CopyBody, 'public'>,
): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: '/1.0/images',
    body: { source: { fingerprint, mode: 'push' }, public: copy.public },
    schema: OperationSchema,
  };
}

/** Where a push goes: the target's address and certificate, and the secret of its token. */
export interface PushTarget {
  url: string;
  certificate: string;
  secret: string;
  project: string | undefined;
}

/** `POST /1.0/images/<fp>/export` on the source: push the image to the target. */
export function pushExportRequest(fingerprint: string, target: PushTarget): ApiRequest<Operation> {
  return {
    method: 'POST',
    path: apiPath('1.0', 'images', fingerprint, 'export'),
    body: {
      target: target.url,
      certificate: target.certificate,
      secret: target.secret,
      ...(target.project === undefined ? {} : { project: target.project }),
    },
    schema: OperationSchema,
  };
}
