import { expect } from 'chai';
import { Redactor, SECRET_KEY, secretValues } from '../../../lib/wire/redact.js';

const r = new Redactor();

describe('Redactor.argv', () => {
  it('hides the value after --password, --token and --secret', () => {
    expect(
      r.argv(['remote', 'add', 'x', '--password', 'p1', '--token', 't1', '--secret', 's1']),
    ).to.deep.equal([
      'remote',
      'add',
      'x',
      '--password',
      '***',
      '--token',
      '***',
      '--secret',
      '***',
    ]);
  });

  it('hides --password=value and --token=value', () => {
    expect(r.argv(['--password=p1', '--token=t1', '--PASSWORD=p2'])).to.deep.equal([
      '--password=***',
      '--token=***',
      '--PASSWORD=***',
    ]);
  });

  it('hides the value of config set core.trust_password and other trust_ keys', () => {
    expect(r.argv(['config', 'set', 'core.trust_password', 'p1'])).to.deep.equal([
      'config',
      'set',
      'core.trust_password',
      '***',
    ]);
    expect(r.argv(['config', 'set', 'core.trust_token', 't1']).at(-1)).to.equal('***');
  });

  it('keeps the value of config set for other keys', () => {
    expect(r.argv(['config', 'set', 'core.https_address', ':8443']).at(-1)).to.equal(':8443');
  });

  it('hides ?secret= and &token= in a path and keeps the other parameters', () => {
    expect(r.argv(['local:/1.0/images/f?secret=abc&x=1&token=t2'])).to.deep.equal([
      'local:/1.0/images/f?secret=***&x=1&token=***',
    ]);
  });

  it('hides secrets in a JSON body', () => {
    const [data] = r.argv([
      '--data={"name":"n","trust_password":"p1","secret":"s1","core.trust_token":"t1"}',
    ]);
    expect(data).to.equal(
      '--data={"name":"n","trust_password":"***","secret":"***","core.trust_token":"***"}',
    );
  });

  it('leaves other argv alone and does not change its input', () => {
    const argv = ['query', '--request=PUT', 'local:/1.0/images/abc', '--project=p'];
    const copy = [...argv];
    expect(r.argv(argv)).to.deep.equal(copy);
    expect(r.argv(argv)).not.to.equal(argv);
    expect(argv).to.deep.equal(copy);
  });
});

describe('Redactor.text', () => {
  for (const key of ['core.trust_password', 'trust_token', 'secret', 'token', 'password']) {
    it(`hides the value of "${key}" in JSON text`, () => {
      const text = JSON.stringify({ name: 'n', [key]: 'hunter2' }, null, '\t');
      const out = r.text(text);
      expect(out).not.to.include('hunter2');
      expect(JSON.parse(out)).to.deep.equal({ name: 'n', [key]: '***' });
    });

    it(`hides the value of ${key}= and ${key}: in free text`, () => {
      const out = r.text(`failed: ${key}=hunter2, then ${key}: hunter3; done`);
      expect(out).to.equal(`failed: ${key}=***, then ${key}: ***; done`);
    });
  }

  it('hides the value after --password in free text (an argv printed as a message)', () => {
    const out = r.text("Command failed: lxc remote add x --password hunter2 --token 't1'");
    expect(out).not.to.include('hunter2');
    expect(out).not.to.include('t1');
  });

  it('is case-insensitive on parameter names', () => {
    expect(r.text('/x?SECRET=abc')).to.equal('/x?SECRET=***');
  });

  it('hides "password" values in JSON with spaces around the colon', () => {
    expect(r.text('{"password" : "p1"}')).to.equal('{"password" : "***"}');
  });

  // a JSON-escaped quote must not end the redaction early
  it('hides the whole of a JSON secret that contains an escaped quote', () => {
    expect(r.text(JSON.stringify({ password: 'ab"cd' }))).to.equal('{"password":"***"}');
  });

  it('masks the literal secrets it was given wherever they appear, longest first', () => {
    const own = new Redactor(['abc', 'abcdef', '']);
    expect(own.text('x abcdef y abc z')).to.equal('x *** y *** z');
  });

  it('masks more literal secrets with with()', () => {
    const more = new Redactor(['one']).with(['two']);
    expect(more.text('one two three')).to.equal('*** *** three');
  });

  it('leaves text without secrets alone', () => {
    expect(r.text('Image not found')).to.equal('Image not found');
  });
});

describe('Redactor.error', () => {
  it('copies an error with secrets masked in message, stack and string fields', () => {
    const original = Object.assign(new Error('failed: token=hunter2'), {
      stderr: 'password: hunter3',
      exitCode: 1,
      command: ['--password', 'hunter4'],
      stream: { secret: 'hunter5' },
    });
    const copy = new Redactor().error(original) as Error & Record<string, unknown>;
    expect(copy).to.be.instanceOf(Error).and.not.equal(original);
    expect(copy.message).to.equal('failed: token=***');
    expect(copy.stack).not.to.include('hunter2');
    expect(copy.stderr).to.equal('password: ***');
    expect(copy.exitCode).to.equal(1);
    expect(copy.command).to.deep.equal(['--password', '***']);
    expect(copy).not.to.have.property('stream');
    expect(original.message).to.equal('failed: token=hunter2');
  });

  it('keeps the name and masks the cause chain', () => {
    const original = new TypeError('outer', { cause: new Error('inner secret=hunter2') });
    const copy = new Redactor().error(original) as Error;
    expect(copy.name).to.equal('TypeError');
    expect((copy.cause as Error).message).to.equal('inner secret=***');
  });

  it('masks literal secrets in the copy', () => {
    const copy = new Redactor(['s3cr3t']).error(new Error('bad s3cr3t')) as Error;
    expect(copy.message).to.equal('bad ***');
  });

  it('masks a string and passes other values through', () => {
    expect(r.error('token=abc')).to.equal('token=***');
    expect(r.error(42)).to.equal(42);
    const value = { a: 1 };
    expect(r.error(value)).to.equal(value);
  });
});

describe('secretValues', () => {
  it('collects the strings under secret-looking keys at any depth', () => {
    const body = {
      name: 'n',
      source: { secret: 's1', certificate: 'c', items: [{ token: 't1' }] },
      config: { 'core.trust_password': 'p1', 'core.trust_token': 't2' },
      passwords: ['p2', 'p3'],
    };
    expect(secretValues(body)).to.have.members(['s1', 't1', 'p1', 't2', 'p2', 'p3']);
  });

  it('skips empty strings and values that are not strings', () => {
    expect(secretValues({ secret: '', token: 5, password: null })).to.deep.equal([]);
    expect(secretValues(undefined)).to.deep.equal([]);
  });
});

describe('SECRET_KEY', () => {
  it('matches passwords, tokens, secrets and trust_ settings only', () => {
    for (const key of ['password', 'trust_token', 'core.trust_password', 'secret', 'TOKEN'])
      expect(SECRET_KEY.test(key), key).to.equal(true);
    for (const key of ['name', 'core.https_address', 'certificate', 'entrust'])
      expect(SECRET_KEY.test(key), key).to.equal(false);
  });
});
