import { connect } from 'node:net';

/**
 * The floor's poller: one Modbus TCP connection that reads holding registers 0..count-1
 * (function 03) every `intervalMs`, one request in flight, and calls `onValues` with each
 * reply's registers. The least a poller does; the app's runs in a worker thread.
 */
export function pollHoldingRegisters(port: number, count: number, intervalMs: number, onValues: (values: number[]) => void) {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  let transaction = 0;
  let inFlight = false;
  let pending: Buffer = Buffer.alloc(0);

  const request = () => {
    if (inFlight || socket.connecting || socket.destroyed) return;
    inFlight = true;
    transaction = (transaction + 1) & 0xffff;
    const frame = Buffer.alloc(12);
    frame.writeUInt16BE(transaction, 0); // transaction id; protocol id 0
    frame.writeUInt16BE(6, 4); // length: unit id + 5-byte PDU
    frame.writeUInt8(1, 6); // unit id
    frame.writeUInt8(3, 7); // read holding registers
    frame.writeUInt16BE(0, 8); // from address 0
    frame.writeUInt16BE(count, 10);
    socket.write(frame);
  };

  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 7 && pending.length >= 6 + pending.readUInt16BE(4)) {
      const end = 6 + pending.readUInt16BE(4);
      const pdu = pending.subarray(7, end); // function code, byte count, registers
      pending = pending.subarray(end);
      inFlight = false;
      if (pdu[0] !== 3) continue; // an exception reply: nothing to read
      onValues(Array.from({ length: pdu[1]! / 2 }, (_, i) => pdu.readUInt16BE(2 + 2 * i)));
    }
  });
  socket.on('error', () => {});
  const timer = setInterval(request, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
