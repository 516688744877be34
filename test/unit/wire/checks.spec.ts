import { expect } from 'chai';
import { thrown } from '../helpers.js';
import { checkFilters, checkImageUrl, checkOperationId } from '../../../lib/wire/checks.js';
import { ValidationError } from '../../../lib/wire/errors.js';

describe('checkImageUrl', () => {
  it('accepts an https URL', () => {
    expect(checkImageUrl('https://example.com/image?x=1')).to.equal(
      'https://example.com/image?x=1',
    );
  });

  it('refuses http, spaces, control characters, non-URLs and non-strings', () => {
    for (const bad of ['http://example.com/i', 'https://a b', 'https://a\n', 'nope', 5]) {
      expect(
        thrown(() => checkImageUrl(bad)),
        String(bad),
      )
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'url');
    }
  });
});

describe('checkFilters', () => {
  it('turns a string into a list and keeps a list', () => {
    expect(checkFilters('a')).to.deep.equal(['a']);
    expect(checkFilters(['a', 'b=c'])).to.deep.equal(['a', 'b=c']);
  });

  it('refuses a non-string item, naming its index', () => {
    expect(thrown(() => checkFilters(['a', 3])))
      .to.be.instanceOf(ValidationError)
      .with.property('field', 'filter[1]');
  });
});

describe('checkOperationId', () => {
  it('accepts a UUID and refuses anything with other characters', () => {
    expect(checkOperationId('9f938863-13b2-4f03-8bd8-5493fd58781c')).to.have.length(36);
    for (const bad of ['', 'a/b', 'a b', 'x'.repeat(65), 5])
      expect(thrown(() => checkOperationId(bad)))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'id');
  });
});
