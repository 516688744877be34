import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { F0, fixture, operation, rejection } from '../helpers.js';
import { ParseError } from '../../../lib/wire/errors.js';

const SECRET_OP = fixture('operation-secret.lxd.json');
const RUNNING = operation();

describe('images.createSecret', () => {
  it('POSTs /secret and resolves to the secret and its token operation', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/secret`, SECRET_OP);
    const { secret, operation: op } = await client.images.createSecret('local', F0);
    expect(secret).to.equal('360fcab515a1901fa44739a2e5c1caa1aef3afe8a35e566e7b7ed132460b78ae');
    expect(op).to.include({ class: 'token', may_cancel: true });
  });

  it('rejects ParseError when the operation has no secret', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/secret`, RUNNING);
    expect(await rejection(client.images.createSecret('local', F0))).to.be.instanceOf(ParseError);
  });
});
