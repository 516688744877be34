/** Reads exact byte counts from a stream of chunks. */
export class ChunkReader {
  private head: Buffer = Buffer.alloc(0);
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  // Pulls the next chunk into `head`; false at the end.
  private async pull(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done === true) return false;
    this.head = this.head.length === 0 ? next.value : Buffer.concat([this.head, next.value]);
    return true;
  }

  /** Exactly `n` bytes, or undefined when the stream ends first. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.head.length < n) if (!(await this.pull())) return undefined;
    const out = this.head.subarray(0, n);
    this.head = this.head.subarray(n);
    return out;
  }

  /** Drops `n` bytes; false when the stream ends first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    for (;;) {
      const drop = Math.min(left, this.head.length);
      this.head = this.head.subarray(drop);
      left -= drop;
      if (left === 0) return true;
      const next = await this.chunks.next();
      if (next.done === true) return false;
      this.head = next.value;
    }
  }
}

/** One header of a tar archive. */
export interface TarHeader {
  /** The member's name, `./` and a trailing `/` removed. */
  name: string;
  /** `0` file, `5` directory, `L` GNU long name, `x` pax header… */
  type: string;
  size: number;
}

// A numeric field: octal text, or GNU base-256 when the top bit is set.
function numberField(block: Buffer, offset: number, width: number): number {
  const field = block.subarray(offset, offset + width);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

// The header's own checksum rule: the sum of its bytes with the checksum field as spaces.
function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return sum === numberField(block, 148, 8);
}

// A NUL-terminated text field.
function text(block: Buffer, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? width : end);
}

/** A member name without leading `./` and trailing `/` (pure). */
export function normalName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/**
 * Parses a 512-byte header (pure): null for an end-of-archive (zero) block, undefined for a
 * block that is not a tar header.
 */
export function parseHeader(block: Buffer): TarHeader | null | undefined {
  if (block.every((byte) => byte === 0)) return null;
  if (!checksumOk(block)) return undefined;
  const size = numberField(block, 124, 12);
  if (!Number.isSafeInteger(size) || size < 0) return undefined;
  const ustar = block.toString('latin1', 257, 262) === 'ustar';
  const prefix = ustar ? text(block, 345, 155) : '';
  const name = text(block, 0, 100);
  const type = block.toString('latin1', 156, 157).replace('\0', '0');
  return { name: normalName(prefix === '' ? name : `${prefix}/${name}`), type, size };
}

/** The `path` of a pax extended header's records (pure); undefined when it has none. */
export function paxPath(data: Buffer): string | undefined {
  let offset = 0;
  let path: string | undefined;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = space < 0 ? NaN : Number(data.toString('latin1', offset, space));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) break;
    const record = data.toString('utf8', space + 1, offset + length - 1); // no trailing newline
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    offset += length;
  }
  return path === undefined ? undefined : normalName(path);
}
