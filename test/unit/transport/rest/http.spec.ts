import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import { thrown } from '../../helpers.js';
import {
  ConflictError,
  NotFoundError,
  ParseError,
  RemoteError,
} from '../../../../lib/wire/errors.js';
import { Redactor } from '../../../../lib/wire/redact.js';
import { readEnvelope } from '../../../../lib/transport/rest/http.js';

// An answer with a status, as readEnvelope sees it.
function answer(status: number): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.statusCode = status;
  return message;
}

describe('readEnvelope', () => {
  const read = (text: string, status: number): unknown =>
    thrown(() =>
      readEnvelope({
        text,
        response: answer(status),
        command: () => ['GET', 'r:/1.0'],
        remote: 'r',
        redactor: new Redactor(),
      }),
    );

  it('classifies an error answer by its message, then by its status, with LXD words', () => {
    const notFound = read('{"type":"error","error":"Image not found","error_code":404}', 404);
    expect(notFound).to.be.instanceOf(NotFoundError).with.property('message', 'Image not found');
    expect(notFound).to.have.property('status', 404);
    const stale = read(
      '{"type":"error","error":"ETag doesn\'t match: a vs b","error_code":412}',
      412,
    );
    expect(stale).to.be.instanceOf(ConflictError).with.property('status', 412);
    const gone = read('{"type":"error","error":"forbidden","error_code":403}', 403);
    expect(gone).to.be.instanceOf(RemoteError);
  });

  it('keeps a body that is not JSON in a ParseError, secrets masked', () => {
    const text = '<html>secret=abc</html>';
    const error = read(text, 502) as ParseError;
    expect(error).to.be.instanceOf(ParseError);
    expect(error.raw).to.match(/^<html>secret=\*\*\*/);
    expect(error.raw).to.not.include('abc');
  });

  it('masks secrets in the message and body of an error', () => {
    const body = '{"type":"error","error":"bad token: tok123","error_code":400}';
    const error = thrown(() =>
      readEnvelope({
        text: body,
        response: answer(400),
        command: () => ['POST', 'r:/1.0'],
        remote: 'r',
        redactor: new Redactor(['tok123']),
      }),
    ) as Error & { stdout: string };
    expect(error.message).to.not.include('tok123');
    expect(error.stdout).to.not.include('tok123');
  });

  it('resolves to the envelope of a sync answer', () => {
    const envelope = readEnvelope({
      text: '{"type":"sync","status_code":200,"metadata":{"a":1}}',
      response: answer(200),
      command: () => ['GET', 'r:/1.0'],
      remote: 'r',
      redactor: new Redactor(),
    });
    expect(envelope.metadata).to.deep.equal({ a: 1 });
  });
});
