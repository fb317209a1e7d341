/** One client connection of the simulator: MBAP framing, answers, and injected faults. */
import type { Socket } from 'node:net';
import { encodeFrame, splitFrames } from './mbap.js';
import type { Area } from '../kernel/enums.js';
import type { RegisterBank } from './register-bank.js';
import { exceptionPdu, parseReadPdu, servePdu } from './serve-pdu.js';

/** Misbehaviour to inject, for every connection, until cleared. */
export type SimFault =
  /** Accept, then close at once. */
  | { kind: 'close' }
  /** Accept and read requests, never answer. */
  | { kind: 'silent' }
  /** Send the first bytes of a reply, then reset the connection (RST). */
  | { kind: 'reset' }
  /** Answer correctly, `ms` late. */
  | { kind: 'late'; ms: number }
  /** Answer correctly, but with this MBAP protocol id (Modbus is 0). */
  | { kind: 'protocol'; id: number }
  /** Answer requests touching addresses from..to (inclusive) with a Modbus exception. */
  | { kind: 'exception'; code: number; from: number; to: number; area?: Area };

export interface SimContext {
  bank: RegisterBank;
  fault(): SimFault | null;
  onRequest(): void;
}

/** Serves a socket until it closes; returns a function that drops it at once. */
export function serveConnection(socket: Socket, ctx: SimContext): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let pending: Buffer = Buffer.alloc(0);

  const drop = (): void => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    socket.destroy();
  };

  socket.setNoDelay(true); // a reply is one small write; do not let Nagle hold it back
  socket.on('error', () => drop());
  socket.on('close', () => drop());
  if (ctx.fault()?.kind === 'close') {
    drop();
    return drop;
  }

  socket.on('data', (chunk: Buffer) => {
    const split = splitFrames(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]));
    pending = Buffer.from(split.rest);
    for (const frame of split.frames) {
      ctx.onRequest();
      const reply = encodeFrame({ ...frame, pdu: answer(ctx, frame.pdu) });
      send(reply);
    }
    if (split.error !== undefined) drop();
  });

  function send(reply: Buffer): void {
    const fault = ctx.fault();
    switch (fault?.kind) {
      case 'silent':
        return;
      case 'close':
        drop();
        return;
      case 'reset':
        // The RST once the partial reply is with the kernel: a reset with a write still queued
        // was sometimes a plain close under load (the poller then reports "closed", not "reset").
        socket.write(reply.subarray(0, 4), () => socket.resetAndDestroy());
        return;
      case 'late': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!socket.destroyed) socket.write(reply);
        }, fault.ms);
        timers.add(timer);
        return;
      }
      case 'protocol':
        reply.writeUInt16BE(fault.id, 2);
        socket.write(reply);
        return;
      case 'exception':
      case undefined:
        socket.write(reply);
        return;
    }
  }

  return drop;
}

function answer(ctx: SimContext, pdu: Buffer): Buffer {
  const fault = ctx.fault();
  if (fault?.kind === 'exception') {
    const req = parseReadPdu(pdu);
    const touches =
      req !== null &&
      (fault.area === undefined || fault.area === req.area) &&
      req.start <= fault.to &&
      req.start + req.count - 1 >= fault.from;
    if (touches) return exceptionPdu(req.functionCode, fault.code);
  }
  return servePdu(ctx.bank, pdu);
}
