import { expect } from 'chai';
import { F0, fixture, operation } from '../helpers.js';
import { deleteStored, isOurs, runUndo } from '../../../lib/operation/undo.js';
import type { Request, Send } from '../../../lib/wire/request.js';
import { ImageSchema, OperationSchema } from '../../../lib/wire/schemas.js';

const op = (fields: Record<string, unknown>) =>
  OperationSchema.parse(JSON.parse(operation(fields)));
const TARGET = { remote: 'local' };

describe('runUndo of what an operation stored', () => {
  // A send that answers the image read with `uploaded` as its upload time.
  const sender =
    (sent: Request[], uploaded: string): Send =>
    (_target, request) => {
      sent.push(request);
      const image = { ...(JSON.parse(fixture('image.lxd.json')) as object), uploaded_at: uploaded };
      const data = request.api?.method === 'GET' ? ImageSchema.parse(image) : undefined;
      return Promise.resolve({ data: data as never });
    };
  const CREATED = '2026-01-01T10:00:00.5Z';

  it('deletes the image the operation made (uploaded since it began), waiting', async () => {
    const sent: Request[] = [];
    const made = op({ metadata: { fingerprint: F0 }, created_at: CREATED });
    await runUndo(sender(sent, '2026-01-01T10:00:00.5Z'), TARGET, deleteStored(made));
    expect(sent.map((r) => [r.api?.method, r.api?.path, r.api?.wait])).to.deep.equal([
      ['GET', `/1.0/images/${F0}`, undefined],
      ['DELETE', `/1.0/images/${F0}`, true],
    ]);
  });

  it('keeps an image uploaded before the operation began (a URL import of an image it had)', async () => {
    const sent: Request[] = [];
    const made = op({ metadata: { fingerprint: F0 }, created_at: CREATED });
    await runUndo(sender(sent, '2026-01-01T09:59:59Z'), TARGET, deleteStored(made));
    expect(sent.map((r) => r.api?.method)).to.deep.equal(['GET']);
  });

  it('does nothing for an operation without a fingerprint', async () => {
    const sent: Request[] = [];
    await runUndo(sender(sent, CREATED), TARGET, deleteStored(op({ metadata: {} })));
    expect(sent).to.deep.equal([]);
  });

  it('sends every request as cleanup: at once, past the aborted call', async () => {
    const sent: Request[] = [];
    const made = op({ metadata: { fingerprint: F0 }, created_at: CREATED });
    await runUndo(sender(sent, CREATED), TARGET, [
      { restoreAlias: { name: 'a', target: F0, description: 'd' } },
      ...deleteStored(made),
    ]);
    expect(sent.map((r) => r.lifetime)).to.deep.equal(['cleanup', 'cleanup', 'cleanup']);
    expect(sent[0]?.api).to.deep.include({ method: 'PUT', body: { target: F0, description: 'd' } });
  });
});

describe('isOurs', () => {
  const since = new Date('2026-01-01T10:00:00Z');
  it('is true for an image uploaded at or after the operation began, on the same clock', () => {
    expect(isOurs({ uploaded_at: since }, since)).to.equal(true);
    expect(isOurs({ uploaded_at: new Date('2026-01-01T10:00:01Z') }, since)).to.equal(true);
  });
  it('is false for an image uploaded before, or never', () => {
    expect(isOurs({ uploaded_at: new Date('2026-01-01T09:59:59Z') }, since)).to.equal(false);
    expect(isOurs({ uploaded_at: null }, since)).to.equal(false);
  });
});
