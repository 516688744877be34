import type { Call } from '../call/call.js';
import { LxcError } from '../wire/errors.js';
import { sha256Files } from '../wire/hash.js';
import type { ProgressHandler } from '../wire/progress.js';
import type { Stored } from '../wire/request.js';
import type { TransferHow } from '../wire/rollout.js';
import type { CheckedSource, CheckedSpec } from '../wire/checks-rollout.js';
import { FULL_FINGERPRINT } from '../wire/validate.js';
import { allImagesRequest, imageRequest } from '../requests/images.js';
import {
  EPOCH,
  probeRequest,
  storedBy,
  uploadRequest,
  urlImportRequest,
} from '../requests/import.js';
import {
  PROVENANCE,
  publishedFrom,
  snapshotProvenance,
  snapshotRequest,
} from '../requests/provenance.js';
import { runOperation } from '../operation/run.js';
import { found, infoImage } from './lookup.js';
import { alreadyThere } from './copy.js';
import { moveImage } from './move.js';
import { publishImage } from './publish.js';

/** What a transfer puts on the remote besides the data: what it can carry in one go. */
export interface Carried {
  public: boolean;
  autoUpdate: boolean;
  properties: Record<string, string>;
  onProgress: ProgressHandler | undefined;
}

/** The image of an `ensure`'s source, found before any byte moves. */
export interface Identified {
  /** What names the source (the image, or the snapshot) for the client's lock. */
  key: string;
  how: TransferHow;
  /** Its fingerprint; unknown only for a snapshot that was never published. */
  fingerprint: string | undefined;
  /** The fingerprint of the image on the remote, when the remote has it. */
  present(): Promise<string | undefined>;
  /** Puts the image on the remote; `stored` is undefined when it turned out to be there. */
  transfer(carried: Carried): Promise<{ fingerprint: string; stored: Stored | undefined }>;
}

// An image of known fingerprint: present when the remote can read it.
function known(call: Call, fingerprint: string, how: TransferHow): Omit<Identified, 'transfer'> {
  const present = async (): Promise<string | undefined> =>
    (await found(call.send({ api: imageRequest(fingerprint) }))) ? fingerprint : undefined;
  return { key: `image ${fingerprint}`, how, fingerprint, present };
}

// Local files: hashed here; uploaded with the expected fingerprint.
async function ofFiles(call: Call, files: readonly string[]): Promise<Identified> {
  const fingerprint = await sha256Files(...files);
  const transfer = async (
    c: Carried,
  ): Promise<{ fingerprint: string; stored: Stored | undefined }> => {
    const source = { kind: 'files' as const, files };
    const upload = uploadRequest({ source, fingerprint, ...c, onProgress: c.onProgress });
    const stored = await call.send(upload).catch(alreadyThere);
    return { fingerprint, stored };
  };
  return { ...known(call, fingerprint, 'upload'), transfer };
}

// A URL: identified by the image hash header its server gives the remote's kind of daemon.
async function ofUrl(call: Call, url: string): Promise<Identified> {
  const server = await call.server();
  const header = server.environment.server === 'incus' ? 'Incus-Image-Hash' : 'LXD-Image-Hash';
  const reply = await call.send(probeRequest(url));
  const fingerprint = reply.headers[header.toLowerCase()]?.toLowerCase() ?? '';
  if (!FULL_FINGERPRINT.test(fingerprint))
    throw new LxcError(`${url} answered ${reply.status} without a valid ${header} header`, {
      remote: call.remote,
    });
  const transfer = async (c: Carried): Promise<{ fingerprint: string; stored: Stored }> => {
    const start = urlImportRequest(url, c);
    const done = await runOperation({ ...call.context, start, undo: 'stored' });
    const stored = storedBy(done, call.remote);
    return { fingerprint: stored.fingerprint, stored };
  };
  return { ...known(call, fingerprint, 'url'), transfer };
}

// An image of another remote: identified by its fingerprint there; copied (pull, else relay).
async function ofRemote(call: Call, remote: string, ref: string): Promise<Identified> {
  const source = call.at({ remote, project: call.target.project });
  const image = await infoImage(source, ref);
  const transfer = async (
    c: Carried,
  ): Promise<{ fingerprint: string; stored: Stored | undefined }> => {
    const moving = { source, image, ref, to: call.target, mode: 'auto' as const, ...c };
    const { stored } = await moveImage({ ...moving, onSince: () => undefined });
    return { fingerprint: image.fingerprint, stored };
  };
  return { ...known(call, image.fingerprint, 'pull'), transfer };
}

// A snapshot: the image it was published as, found by the provenance property stamped on it.
async function ofSnapshot(call: Call, instance: string, snapshot: string): Promise<Identified> {
  const provenance = snapshotProvenance(
    instance,
    await call.send({ api: snapshotRequest(instance, snapshot) }),
  );
  const stamped = async (): Promise<string | undefined> =>
    publishedFrom(await call.send({ api: allImagesRequest() }), provenance)?.fingerprint;
  const transfer = async (c: Carried): Promise<{ fingerprint: string; stored: Stored }> => {
    const properties = { ...c.properties, [PROVENANCE]: provenance };
    const image = await publishImage(call, `${instance}/${snapshot}`, { ...c, properties });
    const since = image.uploaded_at ?? EPOCH;
    return { fingerprint: image.fingerprint, stored: { fingerprint: image.fingerprint, since } };
  };
  const fingerprint = await stamped();
  return { key: `snapshot ${provenance}`, how: 'publish', fingerprint, present: stamped, transfer };
}

/** Identifies the image of an `ensure`'s source, before any byte moves. */
export function identify(call: Call, spec: CheckedSpec): Promise<Identified> {
  const source: CheckedSource = spec.source;
  switch (source.kind) {
    case 'files':
      return ofFiles(call, source.files);
    case 'url':
      return ofUrl(call, source.url);
    case 'remote':
      return ofRemote(call, source.remote, source.ref);
    case 'snapshot':
      return ofSnapshot(call, source.instance, source.snapshot);
  }
}
