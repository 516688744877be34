import { ValidationError } from '../wire/errors.js';
import type { ProgressHandler } from '../wire/progress.js';
import {
  checkList,
  checkObject,
  checkProperties,
  checkPath,
  checkRef,
  checkRemote,
} from '../wire/validate.js';
import { checkArchitecture, checkTreeAlias, checkVersionKey, checkWord } from './names.js';

/** Something that can export an image from a daemon: a client of this library. */
export interface ExportingClient {
  images: {
    export(
      remote: string,
      ref: string,
      destination: string,
      options?: { onProgress?: ProgressHandler | undefined },
    ): Promise<{ fingerprint: string; files: string[] }>;
  };
}

/** What `add` takes an image from. */
export type AddSource =
  | string
  | { metadata: string; rootfs: string }
  | { client: ExportingClient; remote: string; ref: string };

/** A checked source. */
export type CheckedSource =
  | { kind: 'unified'; path: string }
  | { kind: 'split'; metadata: string; rootfs: string }
  | { kind: 'daemon'; client: ExportingClient; remote: string; ref: string };

/** Checks `add`'s source: a path, `{metadata, rootfs}` or `{client, remote, ref}`. */
export function checkSource(source: unknown): CheckedSource {
  if (typeof source === 'string') return { kind: 'unified', path: checkPath(source, 'source') };
  const given = checkObject(source, 'source');
  if ('client' in given) {
    const client = given.client as Partial<ExportingClient> | undefined;
    if (typeof client?.images?.export !== 'function')
      throw new ValidationError('source.client', 'must be a client of lxc-images');
    return {
      kind: 'daemon',
      client: client as ExportingClient,
      remote: checkRemote(given.remote, 'source.remote'),
      ref: checkRef(given.ref, 'source.ref'),
    };
  }
  return {
    kind: 'split',
    metadata: checkPath(given.metadata, 'source.metadata'),
    rootfs: checkPath(given.rootfs, 'source.rootfs'),
  };
}

/** Options of `add`. */
export interface AddOptions {
  /** Aliases of the product (`alpine/3.19`); a new product without any gets `os/release` and `os/release/variant`. */
  aliases?: readonly string[] | undefined;
  /** The product's `os`; defaults to metadata.yaml's `properties.os`. */
  os?: string | undefined;
  /** The product's `release`; defaults to metadata.yaml's `properties.release`. */
  release?: string | undefined;
  /** The product's `variant`; defaults to metadata.yaml's `properties.variant`, else `default`. */
  variant?: string | undefined;
  /** The architecture (`x86_64` or `amd64`…); defaults to metadata.yaml's `architecture`. */
  architecture?: string | undefined;
  /** The version key (`YYYYMMDD_HHMM…`); defaults to metadata.yaml's `creation_date`. */
  version?: string | undefined;
  /**
   * What a tree can carry besides: `release_title` and `version` (of the product), `label`
   * (of this version) and `requirements.<key>` (e.g. `requirements.secureboot`).
   */
  properties?: Record<string, string> | undefined;
  /** Receives progress events (`stage: 'import'`) while the files are copied in. */
  onProgress?: ProgressHandler | undefined;
}

/** Checked options of `add`. */
export interface CheckedAdd {
  aliases: string[] | undefined;
  os?: string | undefined;
  release?: string | undefined;
  variant?: string | undefined;
  architecture?: { kernel: string; product: string } | undefined;
  version?: string | undefined;
  properties: Record<string, string>;
  onProgress?: ProgressHandler | undefined;
}

const CARRIED = /^(release_title|version|label|requirements\.[A-Za-z0-9_.-]+)$/;

// An optional value checked by `check`.
function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

/** Checks the options of `add`. */
export function checkAddOptions(options: Partial<AddOptions>): CheckedAdd {
  const properties = checkProperties(options.properties, 'properties');
  for (const key of Object.keys(properties))
    if (!CARRIED.test(key))
      throw new ValidationError(
        `properties.${key}`,
        'a simplestreams tree cannot carry it; it carries release_title, version, label and requirements.*',
      );
  const onProgress: unknown = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new ValidationError('onProgress', 'must be a function');
  return {
    aliases:
      options.aliases === undefined
        ? undefined
        : checkList(options.aliases, 'aliases', checkTreeAlias),
    os: optional(options.os, (v) => checkWord(v, 'os')),
    release: optional(options.release, (v) => checkWord(v, 'release')),
    variant: optional(options.variant, (v) => checkWord(v, 'variant')),
    architecture: optional(options.architecture, (v) => checkArchitecture(v, 'architecture')),
    version: optional(options.version, (v) => checkVersionKey(v)),
    properties,
    onProgress: options.onProgress,
  };
}
