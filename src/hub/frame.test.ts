import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { FrameBatch, messageFrame, wsTextFrame } from './frame.js';

// ws's frame parser: exported at run time, missing from @types/ws.
type ReceiverLike = { on(event: 'message', f: (data: Buffer, isBinary: boolean) => void): void; write(b: Buffer): void };
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => ReceiverLike };

/** Decodes frames with ws's own parser, as a client would. */
function receive(bytes: Uint8Array): string[] {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => texts.push(isBinary ? 'binary!' : data.toString()));
  receiver.write(Buffer.from(bytes));
  return texts;
}

describe('WebSocket frames built once for every client', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])('frames a %i-byte text message that ws reads back', (n) => {
    const text = 'é'.repeat(Math.floor(n / 2)) + 'x'.repeat(n % 2);
    expect(new TextEncoder().encode(text).length).toBe(n);
    expect(receive(wsTextFrame(new TextEncoder().encode(text)))).toEqual([text]);
  });

  it('joins a batch into one buffer that reads back as each message in order', () => {
    const frames = [1, 2, 3].map((n) => messageFrame({ type: 'pong', id: n }));
    const batch = new FrameBatch(frames);
    expect(receive(batch.wsBytes).map((t) => JSON.parse(t).id)).toEqual([1, 2, 3]);
    expect(batch.wsBytes).toBe(batch.wsBytes); // joined once, shared by every client
    expect(new TextDecoder().decode(batch.sseBytes)).toBe(frames.map((f) => f.sse).join(''));
  });
});
