/**
 * Finds a marker (such as `event: alarm_state\n`) in an SSE byte stream that arrives in
 * arbitrary chunks, without parsing the events: each event carries one marker, so finding it
 * is finding the event. An event cut by a chunk boundary is carried over to the next chunk.
 */
const BLOCK_END = Buffer.from('\n\n');

export class MarkerScanner {
  #carry: Buffer | undefined;

  constructor(
    private readonly mark: Buffer,
    /** Called per marker with the bytes it is in and where it starts. */
    private readonly onMarker: (bytes: Buffer, at: number) => void,
  ) {}

  push(chunk: Buffer): void {
    const data = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = undefined;
    let from = 0;
    for (;;) {
      const at = data.indexOf(this.mark, from);
      if (at < 0) break;
      const end = data.indexOf(BLOCK_END, at + this.mark.length); // the event's end: it is all here
      if (end < 0) {
        this.#carry = Buffer.from(data.subarray(at));
        return;
      }
      this.onMarker(data, at);
      from = end + BLOCK_END.length;
    }
    // The last few bytes may be the start of a marker that the next chunk completes.
    const keep = Math.max(from, data.length - (this.mark.length - 1));
    if (keep < data.length) this.#carry = Buffer.from(data.subarray(keep));
  }
}
