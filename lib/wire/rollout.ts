// The vocabulary of rolling images out (`ensure`, `sync`): what they did, or would do.

/** How an image reached a server: uploaded, fetched from a URL, copied, or published. */
export type TransferHow = 'upload' | 'url' | 'pull' | 'push' | 'relay' | 'publish';

/**
 * One change that `ensure` or `sync` made to a server (or, in a dry run, would make):
 * - `transfer`: the image was put there (`fingerprint` is unknown only in a dry run of a
 *   snapshot that was never published);
 * - `update`: one write of the image's fields (`properties`, `public`, `auto_update`,
 *   `profiles`, `expires_at`);
 * - `alias`: an alias was created (`from: null`) or moved from the image it pointed at;
 * - `delete`: an older image of the same product was deleted (`keep`).
 */
export type RolloutAction =
  | { action: 'transfer'; how: TransferHow; fingerprint: string | undefined }
  | { action: 'update'; fingerprint: string; fields: string[] }
  | { action: 'alias'; name: string; target: string; from: string | null }
  | { action: 'delete'; fingerprint: string };

/**
 * What `sync` did on one target: `present` (it had the image as asked), `copied` (the image was
 * put there), `updated` (it had the image; its aliases or fields were changed), `cluster-peer`
 * (a member of a cluster that another target, `via`, was copied to), `failed` (see `error`), or
 * `skipped` (not started, because `failFast` stopped the run).
 */
export type SyncStatus = 'present' | 'copied' | 'updated' | 'cluster-peer' | 'failed' | 'skipped';
