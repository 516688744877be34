// The steps of Go's pdqsort (src/sort/zsortinterface.go, Go 1.19 to 1.23), one for one.

/** Go's `sort.Interface` over the indexes of a slice. */
export interface Data {
  less: (i: number, j: number) => boolean;
  swap: (i: number, j: number) => void;
}

/** What `choosePivot` says about the order it saw. */
export const INCREASING = 1;
/** What `choosePivot` says about the order it saw. */
export const DECREASING = 2;

/** bits.Len: the number of bits needed to write n. */
export function bitLength(n: number): number {
  return n === 0 ? 0 : 32 - Math.clz32(n);
}

export function insertionSort(d: Data, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) for (let j = i; j > a && d.less(j, j - 1); j--) d.swap(j, j - 1);
}

function siftDown(d: Data, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && d.less(first + child, first + child + 1)) child++;
    if (!d.less(first + root, first + child)) return;
    d.swap(first + root, first + child);
    root = child;
  }
}

export function heapSort(d: Data, a: number, b: number): void {
  const hi = b - a;
  for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(d, i, hi, a);
  for (let i = hi - 1; i >= 0; i--) {
    d.swap(a, a + i);
    siftDown(d, 0, i, a);
  }
}

export function partition(d: Data, a: number, b: number, pivot: number): [number, boolean] {
  d.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && d.less(i, a)) i++;
  while (i <= j && !d.less(j, a)) j--;
  if (i > j) {
    d.swap(j, a);
    return [j, true];
  }
  d.swap(i++, j--);
  for (;;) {
    while (i <= j && d.less(i, a)) i++;
    while (i <= j && !d.less(j, a)) j--;
    if (i > j) break;
    d.swap(i++, j--);
  }
  d.swap(j, a);
  return [j, false];
}

export function partitionEqual(d: Data, a: number, b: number, pivot: number): number {
  d.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !d.less(a, i)) i++;
    while (i <= j && d.less(a, j)) j--;
    if (i > j) return i;
    d.swap(i++, j--);
  }
}

export function partialInsertionSort(d: Data, a: number, b: number): boolean {
  let i = a + 1;
  for (let step = 0; step < 5; step++) {
    while (i < b && !d.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < 50) return false;
    d.swap(i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1 && d.less(j, j - 1); j--) d.swap(j, j - 1);
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b && d.less(j, j - 1); j++) d.swap(j, j - 1);
    }
  }
  return false;
}

// Go's xorshift on a uint64 (shifts 13, 17, 5 until Go 1.24 changed them).
function xorshift(seed: number): () => bigint {
  let r = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  return () => {
    r ^= (r << 13n) & mask;
    r ^= r >> 17n;
    r ^= (r << 5n) & mask;
    return r;
  };
}

export function breakPatterns(d: Data, a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  const next = xorshift(length);
  const modulus = BigInt(2 ** bitLength(length));
  const start = a + Math.floor(length / 4) * 2 - 1;
  for (let idx = start; idx <= start + 2; idx++) {
    let other = Number(next() & (modulus - 1n));
    if (other >= length) other -= length;
    d.swap(idx, a + other);
  }
}

export function choosePivot(d: Data, a: number, b: number): [number, number] {
  const l = b - a;
  const swaps = { n: 0 };
  const quarter = Math.floor(l / 4);
  let i = a + quarter;
  let j = a + quarter * 2;
  let k = a + quarter * 3;
  if (l >= 8) {
    if (l >= 50) {
      i = median(d, i - 1, i, i + 1, swaps);
      j = median(d, j - 1, j, j + 1, swaps);
      k = median(d, k - 1, k, k + 1, swaps);
    }
    j = median(d, i, j, k, swaps);
  }
  if (swaps.n === 0) return [j, INCREASING];
  return [j, swaps.n === 12 ? DECREASING : 0];
}

function median(d: Data, a: number, b: number, c: number, swaps: { n: number }): number {
  const order = (x: number, y: number): [number, number] => {
    if (!d.less(y, x)) return [x, y];
    swaps.n++;
    return [y, x];
  };
  const [low, high] = order(a, b);
  const [middle] = order(high, c);
  return order(low, middle)[1];
}

export function reverseRange(d: Data, a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) d.swap(i, j);
}
