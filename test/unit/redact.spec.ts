import { expect } from 'chai';
import { redactArgv, redactText } from '../../lib/redact.js';

describe('redact: redactArgv', () => {
  it('hides the value after --password and --token', () => {
    expect(redactArgv(['remote', 'add', 'x', '--password', 'p1', '--token', 't1'])).to.deep.equal([
      'remote',
      'add',
      'x',
      '--password',
      '***',
      '--token',
      '***',
    ]);
  });

  it('hides --password=value and --token=value', () => {
    expect(redactArgv(['--password=p1', '--token=t1'])).to.deep.equal([
      '--password=***',
      '--token=***',
    ]);
  });

  it('hides ?secret= and &token= in a path and keeps the other parameters', () => {
    expect(redactArgv(['local:/1.0/images/f?secret=abc&x=1&token=t2'])).to.deep.equal([
      'local:/1.0/images/f?secret=***&x=1&token=***',
    ]);
  });

  it('hides secrets in a JSON body', () => {
    const [data] = redactArgv(['--data={"name":"n","trust_password":"p1","secret":"s1"}']);
    expect(data).to.equal('--data={"name":"n","trust_password":"***","secret":"***"}');
  });

  it('leaves other argv alone and does not change its input', () => {
    const argv = ['query', '--request=PUT', 'local:/1.0/images/abc', '--project=p'];
    const copy = [...argv];
    expect(redactArgv(argv)).to.deep.equal(copy);
    expect(redactArgv(argv)).not.to.equal(argv);
    expect(argv).to.deep.equal(copy);
  });
});

describe('redact: redactText', () => {
  it('is case-insensitive on parameter names', () => {
    expect(redactText('/x?SECRET=abc')).to.equal('/x?SECRET=***');
  });

  it('hides "password" values in JSON with spaces around the colon', () => {
    expect(redactText('{"password" : "p1"}')).to.equal('{"password" : "***"}');
  });

  // a JSON-escaped quote must not end the redaction early
  it('hides the whole of a JSON secret that contains an escaped quote', () => {
    const text = JSON.stringify({ password: 'ab"cd' });
    expect(redactText(text)).to.equal('{"password":"***"}');
  });
});
