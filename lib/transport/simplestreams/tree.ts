import { posix } from 'node:path';
import { ParseError, RemoteError } from '../../wire/errors.js';
import { Catalog, type CatalogContext } from './catalog.js';
import { toImages } from './convert.js';
import { fetchText, shownUrl, type FetchContext, type Validators } from './fetch.js';
import {
  decodeIndex,
  decodeProducts,
  DecodeError,
  type Product,
  type StreamIndex,
} from './products.js';
import { SharedWork } from './shared.js';

/** A document held: what revalidates it, and what it decoded to. */
interface Held<T> extends Validators {
  value: T;
  /** Kept only when the server sends no validators: an identical body is then not decoded again. */
  text?: string | undefined;
}

// A fetched document: the one held when the server says it has not changed.
interface Got<T> {
  held: Held<T>;
  changed: boolean;
}

const INDEX = 'streams/v1/index.json';
// A parse error keeps the start of the text, not megabytes of it.
const KEPT_TEXT = 64 * 1024;

/**
 * One remote's tree as a client sees it: `index.json` and the products files it names, held
 * with their validators, and the {@link Catalog} made of them. A read within `freshMs` of the
 * last check sends nothing; a later one revalidates every file (If-None-Match /
 * If-Modified-Since) and rebuilds the catalog only when one changed. Concurrent reads share one
 * refresh.
 */
export class Tree {
  private index: Held<StreamIndex[]> | undefined;
  private products = new Map<string, Held<Product[]>>();
  private catalog: Catalog | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: SharedWork<Catalog> | undefined;

  constructor(
    private readonly base: URL,
    private readonly context: CatalogContext & { freshMs: number },
  ) {}

  /** The catalog, fresh within `freshMs`. */
  get(fetch: Omit<FetchContext, 'signal'>, signal: AbortSignal): Promise<Catalog> {
    if (this.catalog && performance.now() - this.checkedAt < this.context.freshMs)
      return Promise.resolve(this.catalog);
    if (!this.refreshing || this.refreshing.abandoned) {
      const work = new SharedWork((shared) => this.refresh({ ...fetch, signal: shared }));
      this.refreshing = work;
      void work.finished.then(() => {
        if (this.refreshing === work) this.refreshing = undefined;
      });
    }
    return this.refreshing.wait(signal);
  }

  // Revalidates the index and the products files held (at once), then fetches any new one.
  private async refresh(fetch: FetchContext): Promise<Catalog> {
    const started = performance.now();
    const held = [...this.products.entries()];
    const pending = new Map(
      held.map(([path, doc]) => [path, this.fetchDoc(path, doc, fetch, this.decodeProducts)]),
    );
    for (const promise of pending.values()) promise.catch(() => undefined);
    const index = await this.fetchDoc(INDEX, this.index, fetch, decodeIndex);
    const entries = index.held.value.filter(
      (e) => e.datatype === 'image-downloads' && e.products.length > 0,
    );
    const paths = [...new Set(entries.map((e) => e.path))];
    const docs = new Map(
      await Promise.all(
        paths.map(async (path) => {
          const doc = await (pending.get(path) ??
            this.fetchDoc(path, undefined, fetch, this.decodeProducts));
          return [path, doc] as const;
        }),
      ),
    );
    const changed =
      index.changed ||
      paths.length !== held.length ||
      [...docs.values()].some((doc) => doc.changed) ||
      !this.catalog;
    if (changed || !this.catalog) {
      const images = entries.flatMap((e) =>
        toImages(docs.get(e.path)?.held.value ?? [], this.context.flavor),
      );
      this.catalog = new Catalog(images, this.context);
    }
    this.index = index.held;
    this.products = new Map([...docs].map(([path, doc]) => [path, doc.held]));
    this.checkedAt = started;
    return this.catalog;
  }

  private readonly decodeProducts = (value: unknown): Product[] =>
    decodeProducts(value, this.context.flavor);

  // GETs one document (conditionally when held) and decodes it when it changed.
  private async fetchDoc<T>(
    path: string,
    held: Held<T> | undefined,
    fetch: FetchContext,
    decode: (value: unknown) => T,
  ): Promise<Got<T>> {
    const url = new URL(this.base.href);
    url.pathname = posix.join(url.pathname, path);
    const answer = await fetchText(url, held ?? {}, fetch);
    if (answer.status === 304) {
      if (held) return { held, changed: false };
      throw new RemoteError(`${shownUrl(url)} answered 304 to a request that was not conditional`, {
        remote: fetch.remote,
      });
    }
    const validators = { etag: answer.etag, lastModified: answer.lastModified };
    if (held?.text !== undefined && held.text === answer.text)
      return { held: { ...held, ...validators }, changed: false };
    const value = decodeText(answer.text, url, fetch.remote, decode);
    const keep = answer.etag === undefined && answer.lastModified === undefined;
    return { held: { ...validators, value, text: keep ? answer.text : undefined }, changed: true };
  }
}

// Parses and decodes a document, or a ParseError as the client's "Failed decoding … JSON".
function decodeText<T>(text: string, url: URL, remote: string, decode: (value: unknown) => T): T {
  try {
    return decode(JSON.parse(text));
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof DecodeError)) throw error;
    throw new ParseError(
      `Failed decoding JSON from "${shownUrl(url)}": ${error.message}`,
      text.slice(0, KEPT_TEXT),
      {
        remote,
        command: ['GET', shownUrl(url)],
        cause: error,
      },
    );
  }
}
