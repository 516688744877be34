import { expect } from 'chai';
import { clusterLeaders } from '../../../lib/requests/clusters.js';

describe('the cluster rule of a sync', () => {
  it('works on the first member of each cluster, the others its peers, and on every lone server', () => {
    const { work, peers } = clusterLeaders([
      { remote: 'a', present: false, cluster: undefined },
      { remote: 'n2', present: false, cluster: 'CERT1' },
      { remote: 'n1', present: true, cluster: 'CERT1' },
      { remote: 'b', present: true, cluster: undefined },
      { remote: 'm1', present: false, cluster: 'CERT2' },
      { remote: 'n3', present: false, cluster: 'CERT1' },
    ]);
    expect(work.map((f) => f.remote)).to.deep.equal(['a', 'n2', 'b', 'm1']);
    expect([...peers]).to.deep.equal([
      ['n1', 'n2'],
      ['n3', 'n2'],
    ]);
  });
});
