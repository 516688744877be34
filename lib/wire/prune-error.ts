import { LxcError, type LxcErrorCode, type LxcErrorDetails } from './errors.js';
import type { Image } from './schemas.js';

/** An image a prune did not delete, and why. */
export interface Kept {
  /** The image's fingerprint. */
  fingerprint: string;
  /** `alias x`, `used by c1, c1/snap0`, `cached`, `not expired`, `newest 2 of its product`… */
  reason: string;
}

/** What `images.prune` resolves to: the images it deleted (or would), and those it kept. */
export interface PruneResult {
  /** The images deleted (with `dryRun`: those that would be), as they were listed. */
  deleted: Image[];
  /** Every other image the prune looked at, with the reason it stays. */
  kept: Kept[];
}

/** An image a prune meant to delete and could not. */
export interface PruneFailure {
  /** The image's fingerprint. */
  fingerprint: string;
  /** Why its delete failed. */
  error: LxcError;
}

/**
 * Thrown by `images.prune` when some deletes failed (the others still ran). Nothing is hidden:
 * `deleted` lists what was deleted, `failed` what was not and why, `kept` what was kept.
 */
export class PruneError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_PRUNE';
  /** The images that were deleted. */
  readonly deleted: Image[];
  /** The images kept on purpose, with the reason. */
  readonly kept: Kept[];
  /** The images whose delete failed, each with its error. */
  readonly failed: PruneFailure[];
  constructor(result: PruneResult & { failed: PruneFailure[] }, details: LxcErrorDetails = {}) {
    const { deleted, failed } = result;
    const first = failed
      .slice(0, 3)
      .map((f) => `${f.fingerprint.slice(0, 12)}: ${f.error.message}`);
    const more = failed.length > 3 ? `; and ${failed.length - 3} more` : '';
    super(
      `${failed.length} of ${failed.length + deleted.length} images could not be deleted ` +
        `(${deleted.length} were): ${first.join('; ')}${more}`,
      { cause: failed[0]?.error, ...details },
    );
    this.deleted = deleted;
    this.kept = result.kept;
    this.failed = failed;
  }
}
PruneError.prototype.name = 'PruneError';
