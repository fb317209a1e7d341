/** The slice of a Node writable (socket, response) that tells when its buffer has drained. */
export interface DrainSource {
  readonly writableLength: number;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Resolves when `target` has written out its buffer or closed, whichever comes first. */
export function drained(target: DrainSource | undefined): Promise<void> {
  if (!target || target.destroyed || target.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done);
    target.once('close', done);
  });
}
