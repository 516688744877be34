// The cluster rule of a sync (pure): members of one cluster share its certificate and images.

/** What a sync found out about one target before changing anything. */
export interface TargetFacts {
  remote: string;
  /** Whether it holds the image. */
  present: boolean;
  /** The cluster it is a member of (its certificate, which the members share), if any. */
  cluster: string | undefined;
}

/**
 * The targets a sync works on (pure): one per cluster (the first given), and each other
 * member, mapped to that one as its `cluster-peer`.
 */
export function clusterLeaders(facts: readonly TargetFacts[]): {
  work: TargetFacts[];
  peers: Map<string, string>;
} {
  const work: TargetFacts[] = [];
  const peers = new Map<string, string>();
  const byCluster = new Map<string, string>();
  for (const fact of facts) {
    const leader = fact.cluster === undefined ? undefined : byCluster.get(fact.cluster);
    if (leader !== undefined) {
      peers.set(fact.remote, leader);
      continue;
    }
    if (fact.cluster !== undefined) byCluster.set(fact.cluster, fact.remote);
    work.push(fact);
  }
  return { work, peers };
}
