import { expect } from 'chai';
import { LxcError } from '../../../lib/wire/errors.js';
import { PruneError } from '../../../lib/wire/prune-error.js';

describe('PruneError', () => {
  it('is an LxcError that names at most three failures and keeps the first as its cause', () => {
    const failed = ['1', '2', '3', '4'].map((d) => ({
      fingerprint: d.repeat(64),
      error: new LxcError(`boom ${d}`),
    }));
    const error = new PruneError({ deleted: [], kept: [], failed }, { remote: 'r' });
    expect(error).to.be.instanceOf(LxcError).and.include({ code: 'ERR_LXC_PRUNE', remote: 'r' });
    expect(error.name).to.equal('PruneError');
    expect(error.message).to.equal(
      '4 of 4 images could not be deleted (0 were): 111111111111: boom 1; 222222222222: boom 2; ' +
        '333333333333: boom 3; and 1 more',
    );
    expect(error.cause).to.equal(failed[0]?.error);
  });
});
