// Log records encoded into shared byte slabs as they arrive, so the writer moves bytes, not strings.

const SLAB_BYTES = 64 * 1024;

/** Records queued for a file, taken by the writer in whole batches. */
export class RecordQueue {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  /** Start of the slab region not yet sealed into `views`; bytes before it belong to an earlier batch. */
  private slabStart = 0;
  private slabUsed = 0;
  private views: Buffer[] = [];
  private sizes: number[] = [];
  private bytes = 0;

  get length(): number {
    return this.sizes.length;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** Encodes one record (UTF-8; lone surrogates become U+FFFD); returns its size in bytes. */
  push(record: string): number {
    const worst = record.length * 3;
    if (this.slab.length - this.slabUsed < worst) this.newSlab(worst);
    const n = this.slab.write(record, this.slabUsed, 'utf8');
    this.slabUsed += n;
    this.sizes.push(n);
    this.bytes += n;
    return n;
  }

  /** Hands everything queued to the writer and starts empty; later pushes never touch what it holds. */
  take(): RecordBatch {
    this.seal();
    const batch = new RecordBatch(this.views, this.sizes);
    this.views = [];
    this.sizes = [];
    this.bytes = 0;
    return batch;
  }

  private seal(): void {
    if (this.slabUsed > this.slabStart) this.views.push(this.slab.subarray(this.slabStart, this.slabUsed));
    this.slabStart = this.slabUsed;
  }

  private newSlab(atLeast: number): void {
    this.seal();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, atLeast));
    this.slabStart = 0;
    this.slabUsed = 0;
  }
}

/** A run of records as byte views, consumed front to back. */
export class RecordBatch {
  private view = 0;
  private offset = 0;
  private next = 0;

  constructor(
    private readonly views: readonly Buffer[],
    private readonly sizes: readonly number[],
  ) {}

  /** Records not yet taken. */
  get remaining(): number {
    return this.sizes.length - this.next;
  }

  /** Size of the i-th record from the front, in bytes. */
  peekSize(i = 0): number | undefined {
    return this.sizes[this.next + i];
  }

  /** Removes the next `count` records and returns their bytes as views, in order. */
  take(count: number): Buffer[] {
    let want = 0;
    for (let i = 0; i < count; i++) want += this.sizes[this.next + i] ?? 0;
    this.next = Math.min(this.sizes.length, this.next + count);
    const out: Buffer[] = [];
    while (want > 0) {
      const view = this.views[this.view];
      if (view === undefined) break;
      const n = Math.min(want, view.length - this.offset);
      out.push(view.subarray(this.offset, this.offset + n));
      want -= n;
      this.offset += n;
      if (this.offset === view.length) {
        this.view += 1;
        this.offset = 0;
      }
    }
    return out;
  }
}
