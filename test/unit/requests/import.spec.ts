import { expect } from 'chai';
import { F0, operation, thrown } from '../helpers.js';
import { importedFingerprint, urlImportRequest } from '../../../lib/requests/import.js';
import { checkImportFlags } from '../../../lib/wire/checks-transfer.js';
import { ParseError } from '../../../lib/wire/errors.js';
import { OperationSchema } from '../../../lib/wire/schemas.js';

const op = (fields: Record<string, unknown>) =>
  OperationSchema.parse(JSON.parse(operation(fields)));

describe('urlImportRequest', () => {
  it("POSTs a url source with the flags' public and properties", () => {
    const request = urlImportRequest('https://example.com/i', checkImportFlags({ public: true }));
    expect(request).to.deep.include({
      method: 'POST',
      path: '/1.0/images',
      body: { source: { type: 'url', url: 'https://example.com/i' }, public: true, properties: {} },
    });
  });
});

describe('importedFingerprint', () => {
  it("reads the operation's metadata.fingerprint", () => {
    expect(importedFingerprint(op({ metadata: { fingerprint: F0 } }), 'local')).to.equal(F0);
  });

  it('throws ParseError when it is missing or not a full fingerprint', () => {
    for (const metadata of [{}, { fingerprint: 'a50c' }]) {
      expect(thrown(() => importedFingerprint(op({ metadata }), 'local')))
        .to.be.instanceOf(ParseError)
        .with.property('remote', 'local');
    }
  });
});
