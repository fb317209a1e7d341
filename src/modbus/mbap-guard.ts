/**
 * Checks every MBAP header of a reply stream as its bytes arrive, without copying whole frames.
 * modbus-serial's TcpPort reads only the length field and ignores the protocol id, so a frame
 * of another protocol (or garbage with a plausible length) would be decoded as register data.
 */
import { headerProblem, PREFIX } from './mbap.js';

/** Feed it each chunk in order; it returns the first problem, and keeps returning it after. */
export type MbapGuard = (chunk: Buffer) => string | undefined;

export function createMbapGuard(): MbapGuard {
  let body = 0; // bytes of the current frame still to come, after its prefix
  let head: Buffer = Buffer.alloc(0); // a prefix split across chunks
  let problem: string | undefined;

  return function checkChunk(chunk) {
    let at = 0;
    while (problem === undefined && at < chunk.length) {
      if (body > 0) {
        const n = Math.min(body, chunk.length - at);
        body -= n;
        at += n;
        continue;
      }
      const take = chunk.subarray(at, at + PREFIX - head.length);
      at += take.length;
      const prefix = head.length === 0 ? take : Buffer.concat([head, take]);
      if (prefix.length < PREFIX) {
        head = Buffer.from(prefix); // a copy of these few bytes, not a view that pins the whole chunk
        break;
      }
      head = Buffer.alloc(0);
      problem = headerProblem(prefix);
      body = prefix.readUInt16BE(4);
    }
    return problem;
  };
}
