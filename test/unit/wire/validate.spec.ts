import { expect } from 'chai';
import { checkFilters } from '../../../lib/wire/checks.js';
import { ValidationError } from '../../../lib/wire/errors.js';
import {
  checkAlias,
  checkBoolean,
  checkCallOptions,
  checkFingerprint,
  checkList,
  checkObject,
  checkPath,
  checkProject,
  checkProperties,
  checkPropertyKey,
  checkRef,
  checkRemote,
  checkText,
  checkTimeout,
  isHex,
  MAX_TEXT_BYTES,
  toJson,
} from '../../../lib/wire/validate.js';

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

describe('checkRemote', () => {
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

describe('checkProject', () => {
  it('accepts project names', () => {
    expect(checkProject('default')).to.equal('default');
  });

  it('refuses bad project names', () => {
    for (const bad of ['', '-p', 'a/b', 'a?b', null]) {
      expect(refused(() => checkProject(bad)).field).to.equal('project');
    }
  });
});

describe('checkFingerprint', () => {
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

describe('checkAlias and checkRef', () => {
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

describe('checkPropertyKey', () => {
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

describe('checkText', () => {
  it('accepts any string without NUL: tabs, newlines, quotes, non-ASCII', () => {
    for (const text of ['a\tb "c"', 'a\nb\r\nc', 'a\u007f', 'é ✓', ''])
      expect(checkText(text, 'value')).to.equal(text);
  });

  it('accepts up to 64 KiB and refuses more (counted in bytes)', () => {
    expect(checkText('x'.repeat(MAX_TEXT_BYTES), 'value')).to.have.length(65536);
    expect(refused(() => checkText('x'.repeat(MAX_TEXT_BYTES + 1), 'value')).field).to.equal(
      'value',
    );
    expect(refused(() => checkText('é'.repeat(MAX_TEXT_BYTES / 2 + 1), 'value')).field).to.equal(
      'value',
    );
  });

  it('refuses NUL bytes and non-strings', () => {
    for (const bad of ['a\u0000b', 5, null]) {
      expect(refused(() => checkText(bad, 'value')).field).to.equal('value');
    }
  });
});

describe('checkProperties', () => {
  it('accepts a map of valid keys to text', () => {
    const props = { os: 'alpine', 'user.note': 'a\nb' };
    expect(checkProperties(props, 'properties')).to.equal(props);
    expect(checkProperties(undefined, 'properties')).to.deep.equal({});
  });

  it('names the value that is refused', () => {
    expect(refused(() => checkProperties({ os: 'a\u0000' }, 'properties')).field).to.equal(
      'properties.os',
    );
    expect(refused(() => checkProperties({ '-x': 'y' }, 'properties')).field).to.equal(
      'properties',
    );
  });
});

describe('checkTimeout', () => {
  it('accepts undefined and positive finite numbers up to 2147483647', () => {
    expect(checkTimeout(undefined)).to.equal(undefined);
    expect(checkTimeout(0.5)).to.equal(0.5);
    expect(checkTimeout(2_147_483_647)).to.equal(2_147_483_647);
  });

  it('refuses a longer timeout than a timer can hold', () => {
    expect(refused(() => checkTimeout(2_147_483_648)).message).to.match(/at most 2147483647/);
  });
});

describe('checkCallOptions', () => {
  it('accepts no options, a positive timeout and an AbortSignal', () => {
    expect(() => {
      checkCallOptions({});
      checkCallOptions({ timeout: 1000, signal: new AbortController().signal });
    }).not.to.throw();
  });

  it('refuses a zero, negative, infinite, NaN or string timeout', () => {
    for (const timeout of [0, -1, Infinity, NaN, '100', 2 ** 31]) {
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

describe('checkObject', () => {
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

describe('checkList', () => {
  it('gives [] for undefined and checks each item with its index', () => {
    expect(checkList(undefined, 'aliases', checkAlias)).to.deep.equal([]);
    expect(checkList(['a', 'b'], 'aliases', checkAlias)).to.deep.equal(['a', 'b']);
    expect(refused(() => checkList(['a', '-b'], 'aliases', checkAlias)).field).to.equal(
      'aliases[1]',
    );
  });

  it('refuses a value that is not an array', () => {
    expect(refused(() => checkList('a', 'aliases', checkAlias)).field).to.equal('aliases');
  });
});

describe('checkBoolean', () => {
  it('accepts undefined and booleans, refuses anything else', () => {
    expect(checkBoolean(undefined, 'public')).to.equal(undefined);
    expect(checkBoolean(false, 'public')).to.equal(false);
    expect(refused(() => checkBoolean('true', 'public')).field).to.equal('public');
  });
});

describe('checkPath', () => {
  it('accepts a non-empty path without NUL', () => {
    expect(checkPath('/tmp/a b', 'destination')).to.equal('/tmp/a b');
    for (const bad of ['', 'a\u0000b', 3])
      expect(refused(() => checkPath(bad, 'destination')).field).to.equal('destination');
  });
});

describe('isHex', () => {
  it('is true for 1 to 64 hex digits only', () => {
    expect(isHex('A50c')).to.equal(true);
    expect(isHex('f'.repeat(64))).to.equal(true);
    expect(isHex('f'.repeat(65))).to.equal(false);
    expect(isHex('t0')).to.equal(false);
  });
});

describe('toJson', () => {
  it('serialises a JSON body', () => {
    expect(toJson({ a: [1, 'x'] })).to.equal('{"a":[1,"x"]}');
  });

  it('refuses a BigInt, a cycle, a function or a symbol', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [{ n: 1n }, cyclic, () => 1, Symbol('s')]) {
      expect(refused(() => toJson(bad)).field).to.equal('body');
    }
  });

  it('keeps the JSON error as the cause', () => {
    expect(refused(() => toJson(1n, 'data')).cause).to.be.instanceOf(TypeError);
  });
});

describe('checkFilters (images.list)', () => {
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
