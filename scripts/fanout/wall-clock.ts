/**
 * Wall-clock milliseconds with sub-millisecond resolution. Both processes derive it from
 * `performance.timeOrigin`, so a timestamp taken in the server can be compared with one taken
 * in the client process (same machine, same clock).
 */
export const wallNow = (): number => performance.timeOrigin + performance.now();
