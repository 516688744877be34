import { expect } from 'chai';
import { thrown } from '../helpers.js';
import { checkPrunePolicy } from '../../../lib/wire/checks-prune.js';
import { ValidationError } from '../../../lib/wire/errors.js';

describe('checkPrunePolicy', () => {
  it('fills in the defaults and keeps the numbers', () => {
    expect(checkPrunePolicy({ keep: 2 })).to.deep.equal({
      expired: false,
      unusedFor: undefined,
      keep: 2,
      cached: false,
    });
    expect(checkPrunePolicy({ expired: true, unusedFor: 0, cached: true })).to.deep.equal({
      expired: true,
      unusedFor: 0,
      keep: undefined,
      cached: true,
    });
  });

  it('names the field it refuses', () => {
    const field = (policy: unknown): unknown =>
      (thrown(() => checkPrunePolicy(policy)) as ValidationError).field;
    expect(field(undefined)).to.equal('policy');
    expect(field('keep')).to.equal('policy');
    expect(field({ keep: 1, nope: 1 })).to.equal('policy');
    expect(field({ keep: 0 })).to.equal('policy.keep');
    expect(field({ unusedFor: -1 })).to.equal('policy.unusedFor');
    expect(field({ unusedFor: Number.MAX_SAFE_INTEGER + 2 })).to.equal('policy.unusedFor');
    expect(field({ expired: 1 })).to.equal('policy.expired');
    expect(field({ keep: 1, cached: 'no' })).to.equal('policy.cached');
    expect(field({ expired: false, cached: true })).to.equal('policy');
    expect(thrown(() => checkPrunePolicy({ keepp: 1 })))
      .to.be.instanceOf(ValidationError)
      .with.property('message')
      .that.includes("unknown key 'keepp'");
  });
});
