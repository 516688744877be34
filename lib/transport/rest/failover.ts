import { RemoteError } from '../../wire/errors.js';
import type { ApiRequest } from '../../wire/request.js';
import { note } from '../../wire/trace.js';
import type { Endpoint } from './endpoint.js';

// True for a failure to reach the endpoint at all (no answer), not for an answer that says no.
function unreachable(error: unknown, signal: AbortSignal): boolean {
  return error instanceof RemoteError && error.status === undefined && !signal.aborted;
}

// A request that can be sent again without harm: a read, or a write guarded by its ETag.
function repeatable(api: ApiRequest): boolean {
  return api.method === 'GET' || api.etag !== undefined;
}

/** One exchange with a cluster remote, and where its answer came from. */
export interface Failover<T> {
  endpoint: Endpoint;
  api: ApiRequest;
  signal: AbortSignal;
  /** Sends the request to one endpoint. */
  attempt: (endpoint: Endpoint) => Promise<T>;
  /** Receives the member that answered when the remote's own address did not. */
  onSwitch: (member: Endpoint) => void;
}

/**
 * The REST transport's failover policy: a request that is safe to repeat (a read, or a write
 * guarded by its ETag) and meets a cluster remote whose own address does not answer is sent
 * to the other members in turn; the first that answers is kept (they share the cluster
 * certificate, so the pin still holds).
 */
export async function withFailover<T>(run: Failover<T>): Promise<T> {
  const { endpoint, signal } = run;
  try {
    return await run.attempt(endpoint);
  } catch (error) {
    const members = endpoint.kind === 'https' ? endpoint.members : undefined;
    if (endpoint.kind !== 'https' || !members || !unreachable(error, signal)) throw error;
    if (!repeatable(run.api)) throw error;
    for (const member of members) {
      if (member.host === endpoint.host && member.port === endpoint.port) continue;
      const other = { ...endpoint, ...member };
      try {
        const answer = await run.attempt(other);
        note(
          `remote ${endpoint.label}: ${endpoint.host}:${endpoint.port} is unreachable; using ${member.host}:${member.port}`,
        );
        run.onSwitch(other);
        return answer;
      } catch (next) {
        if (!unreachable(next, signal)) throw next;
      }
    }
    throw error;
  }
}
