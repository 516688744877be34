import { expect } from 'chai';
import { operation } from '../helpers.js';
import {
  monotonic,
  operationProgress,
  parseProgress,
  parseSize,
  type ProgressEvent,
  progressLines,
} from '../../../lib/wire/progress.js';
import { OperationSchema } from '../../../lib/wire/schemas.js';

// A running operation whose metadata holds `metadata`.
const running = (metadata: Record<string, unknown>) =>
  OperationSchema.parse(JSON.parse(operation({ metadata })));

describe('parseSize', () => {
  it('reads SI and IEC units', () => {
    expect(parseSize('572.85MB')).to.equal(572_850_000);
    expect(parseSize('12.5MiB')).to.equal(13_107_200);
    expect(parseSize('10B')).to.equal(10);
  });

  it('gives undefined for other text', () => {
    expect(parseSize('fast')).to.equal(undefined);
    expect(parseSize('12XB')).to.equal(undefined);
  });
});

describe('parseProgress', () => {
  it('parses the export line of both daemons (percent and speed)', () => {
    expect(parseProgress('export', 'Exporting the image: 100% (572.85MB/s)')).to.deep.equal({
      stage: 'export',
      label: 'Exporting the image',
      percent: 100,
      speed: 572_850_000,
    });
  });

  it('parses a byte count', () => {
    expect(parseProgress('copy', 'Transferring image: 12.34MB (1.2MB/s)')).to.deep.include({
      label: 'Transferring image',
      bytes: 12_340_000,
      speed: 1_200_000,
    });
  });

  it("parses an operation's value with the label given", () => {
    expect(parseProgress('copy', '45% (12.3MB/s)', 'download')).to.deep.equal({
      stage: 'copy',
      label: 'download',
      percent: 45,
      speed: 12_300_000,
    });
  });

  it('parses a percent without a speed', () => {
    expect(parseProgress('import', 'Uploading image: 7%')).to.deep.equal({
      stage: 'import',
      label: 'Uploading image',
      percent: 7,
    });
  });

  it('ignores the final and fingerprint lines', () => {
    expect(parseProgress('export', 'Image exported successfully!')).to.equal(undefined);
    const done = 'Image imported with fingerprint: 1b0abec69e8d54aa8bd4821f114ea22ef3ee55444';
    expect(parseProgress('import', done)).to.equal(undefined);
  });
});

describe('progressLines', () => {
  it('is undefined without a handler', () => {
    expect(progressLines('import', undefined)).to.equal(undefined);
  });

  it('feeds the handler only with progress lines', () => {
    const events: ProgressEvent[] = [];
    const onLine = progressLines('export', (event) => events.push(event))!;
    onLine('Exporting the image: 50% (1MB/s)');
    onLine('Image exported successfully!');
    expect(events.map((e) => e.percent)).to.deep.equal([50]);
  });
});

describe('operationProgress', () => {
  it("reports each <what>_progress value of a running operation's metadata", () => {
    const events: ProgressEvent[] = [];
    const progress = operationProgress('copy', (event) => events.push(event));
    progress.onRunning?.(running({ download_progress: '45% (12.3MB/s)', other: 'x' }));
    expect(events).to.deep.equal([
      { stage: 'copy', label: 'download', percent: 45, speed: 12_300_000 },
    ]);
  });

  it('reports 100% under the last label once done, unless 100% was reported', () => {
    const events: ProgressEvent[] = [];
    const progress = operationProgress('refresh', (event) => events.push(event));
    progress.onRunning?.(running({ download_progress: '50%' }));
    progress.done();
    expect(events.at(-1)).to.deep.equal({ stage: 'refresh', label: 'download', percent: 100 });
    const again: ProgressEvent[] = [];
    const finished = operationProgress('copy', (event) => again.push(event));
    finished.onRunning?.(running({ create_image_from_container_pack_progress: '100%' }));
    finished.done();
    expect(again.map((e) => e.percent)).to.deep.equal([100]);
  });

  it('reports 100% labelled "done" when nothing ran', () => {
    const events: ProgressEvent[] = [];
    operationProgress('copy', (event) => events.push(event)).done();
    expect(events).to.deep.equal([{ stage: 'copy', label: 'done', percent: 100 }]);
  });

  it('has no onRunning without a handler, and done() does nothing', () => {
    const progress = operationProgress('copy', undefined);
    expect(progress.onRunning).to.equal(undefined);
    expect(() => {
      progress.done();
    }).not.to.throw();
  });
});

describe('monotonic', () => {
  it('drops events whose percent is lower than one already reported', () => {
    const seen: (number | undefined)[] = [];
    const handler = monotonic((event) => seen.push(event.percent))!;
    for (const percent of [10, 50, 30, 50, 100, 0])
      handler({ stage: 'import', label: 'x', percent });
    handler({ stage: 'import', label: 'bytes only', bytes: 5 });
    expect(seen).to.deep.equal([10, 50, 50, 100, undefined]);
  });

  it('is undefined without a handler', () => {
    expect(monotonic(undefined)).to.equal(undefined);
  });
});
