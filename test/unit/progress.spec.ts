import { expect } from 'chai';
import { parseProgress, parseSize, progressLines } from '../../lib/images/progress.js';
import type { ProgressEvent } from '../../lib/images/progress.js';

describe('progress: parseSize', () => {
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

describe('progress: parseProgress', () => {
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

  it('ignores the final and fingerprint lines', () => {
    expect(parseProgress('export', 'Image exported successfully!')).to.equal(undefined);
    const done = 'Image imported with fingerprint: 1b0abec69e8d54aa8bd4821f114ea22ef3ee55444';
    expect(parseProgress('import', done)).to.equal(undefined);
  });
});

describe('progress: progressLines', () => {
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
