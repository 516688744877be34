import { expect } from 'chai';
import { ValidationError } from '../../lib/errors.js';
import { checkFilters } from '../../lib/images/list.js';
import {
  checkAlias,
  checkCallOptions,
  checkFingerprint,
  checkObject,
  checkProject,
  checkPropertyKey,
  checkRef,
  checkRemote,
  checkText,
} from '../../lib/validate.js';

// Runs `fn`, expects a ValidationError and returns it.
function refused(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('validate: checkRemote', () => {
  it('accepts remote names', () => {
    for (const name of ['local', 'images', 'my-remote_1.x'])
      expect(checkRemote(name)).to.equal(name);
  });

  it('refuses empty, flag-like, spaced, path-like, non-string and overlong names', () => {
    for (const bad of ['', '-x', 'a b', 'a:b', 'a/b', 42, 'x'.repeat(256)]) {
      expect(refused(() => checkRemote(bad)).field).to.equal('remote');
    }
  });

  it('names the given field', () => {
    expect(refused(() => checkRemote('-x', 'defaultRemote')).field).to.equal('defaultRemote');
  });
});

describe('validate: checkProject', () => {
  it('accepts project names', () => {
    expect(checkProject('default')).to.equal('default');
  });

  it('refuses bad project names', () => {
    for (const bad of ['', '-p', 'a/b', 'a?b', null]) {
      expect(refused(() => checkProject(bad)).field).to.equal('project');
    }
  });
});

describe('validate: checkFingerprint', () => {
  it('accepts a full fingerprint or a prefix, lower-cased', () => {
    expect(checkFingerprint('A50C5E')).to.equal('a50c5e');
    expect(checkFingerprint('f'.repeat(64))).to.equal('f'.repeat(64));
  });

  it('refuses non-hex, empty and too long values', () => {
    for (const bad of ['xyz', '', 'f'.repeat(65), 'a50c/5e']) {
      expect(refused(() => checkFingerprint(bad)).field).to.equal('fingerprint');
    }
  });
});

describe('validate: checkAlias and checkRef', () => {
  it('accept names with /, space, ?, # and %', () => {
    for (const name of ['alpine/3.19', 'p/q r', 'a?b#c', 'x%2Fy', 'é']) {
      expect(checkAlias(name)).to.equal(name);
    }
  });

  it('refuse empty, blank, flag-like, control characters and more than 255 bytes', () => {
    for (const bad of ['', '  ', '-a', 'a\nb', 'a\u0000', 'x'.repeat(256), 'é'.repeat(128), 1]) {
      expect(refused(() => checkAlias(bad)).field).to.equal('alias');
    }
  });

  it('checkRef reports the field "ref"', () => {
    expect(checkRef('a50c5e')).to.equal('a50c5e');
    expect(refused(() => checkRef('--all')).field).to.equal('ref');
  });
});

describe('validate: checkPropertyKey', () => {
  it('accepts property keys', () => {
    for (const key of ['os', 'user.foo', 'a:b/c-d_e', '_x'])
      expect(checkPropertyKey(key)).to.equal(key);
  });

  it('refuses bad keys', () => {
    for (const bad of ['', '-x', '.x', 'a b', 'a=b', 7]) {
      expect(refused(() => checkPropertyKey(bad)).field).to.equal('key');
    }
  });
});

describe('validate: checkText', () => {
  it('accepts text with tabs', () => {
    expect(checkText('a\tb "c"', 'value')).to.equal('a\tb "c"');
  });

  it('refuses other control characters and non-strings', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\u007f', 5]) {
      expect(refused(() => checkText(bad, 'value')).field).to.equal('value');
    }
  });
});

describe('validate: checkCallOptions', () => {
  it('accepts no options, a positive timeout and an AbortSignal', () => {
    expect(() => {
      checkCallOptions({});
      checkCallOptions({ timeout: 1000, signal: new AbortController().signal });
    }).not.to.throw();
  });

  it('refuses a zero, negative, infinite, NaN or string timeout', () => {
    for (const timeout of [0, -1, Infinity, NaN, '100']) {
      expect(
        refused(() => {
          checkCallOptions({ timeout });
        }).field,
      ).to.equal('timeout');
    }
  });

  it('refuses a signal that is not an AbortSignal', () => {
    expect(
      refused(() => {
        checkCallOptions({ signal: {} });
      }).field,
    ).to.equal('signal');
  });
});

describe('validate: checkObject', () => {
  it('gives {} for undefined and passes objects through', () => {
    const value = { a: 1 };
    expect(checkObject(undefined, 'body')).to.deep.equal({});
    expect(checkObject(value, 'body')).to.equal(value);
  });

  it('refuses null, arrays and primitives', () => {
    for (const bad of [null, [], 'x', 3])
      expect(refused(() => checkObject(bad, 'body')).field).to.equal('body');
  });
});

describe('validate: checkFilters (images.list)', () => {
  it('accepts a string or a list of filters', () => {
    expect(checkFilters(undefined)).to.deep.equal([]);
    expect(checkFilters('os=ubuntu')).to.deep.equal(['os=ubuntu']);
    expect(checkFilters(['a50c', 'type=container'])).to.deep.equal(['a50c', 'type=container']);
  });

  it('refuses empty, flag-like and control-character filters, naming the index', () => {
    expect(refused(() => checkFilters(['ok', '--all-projects'])).field).to.equal('filter[1]');
    expect(refused(() => checkFilters('')).field).to.equal('filter[0]');
    expect(refused(() => checkFilters(['a\nb'])).field).to.equal('filter[0]');
  });
});
