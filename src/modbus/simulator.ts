/** A Modbus TCP server on loopback for tests, benchmarks and the demo plant. */
import { createServer, type Server, type Socket } from 'node:net';
import type { Area, BitArea, RegisterArea, ValueType, WordOrder } from '../kernel/enums.js';
import { createRegisterBank, writeRaw, type RegisterBank } from './register-bank.js';
import { serveConnection, type SimFault } from './sim-connection.js';

export type { SimFault } from './sim-connection.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface SimulatorStats {
  /** Connections open now. */
  open: number;
  accepted: number;
  requests: number;
}

export interface Simulator {
  readonly host: string;
  readonly port: number;
  readonly bank: RegisterBank;
  setHolding(address: number, value: number): void;
  setInput(address: number, value: number): void;
  setCoil(address: number, on: boolean | number): void;
  setDiscrete(address: number, on: boolean | number): void;
  setInt32(area: RegisterArea, address: number, value: number, wordOrder?: WordOrder): void;
  setUint32(area: RegisterArea, address: number, value: number, wordOrder?: WordOrder): void;
  setFloat32(area: RegisterArea, address: number, value: number, wordOrder?: WordOrder): void;
  /** Stores a raw value of any datapoint type. */
  write(area: Area, address: number, type: ValueType, wordOrder: WordOrder, raw: number): void;
  /** Injects a fault for every connection until `setFault(null)`. */
  setFault(fault: SimFault | null): void;
  /** Stops listening and drops every connection: new connections are refused. */
  refuse(): Promise<void>;
  /** Listens again on the same port after `refuse()`. */
  accept(): Promise<void>;
  stats(): SimulatorStats;
  /** Resolves once `count` requests in all have been received (tests await this, not a sleep). */
  untilRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const bank = createRegisterBank();
  const open = new Map<Socket, () => void>();
  let fault: SimFault | null = null;
  let accepted = 0;
  let requests = 0;
  let server: Server | null = null;
  const waiters = new Set<() => void>();

  const context = {
    bank,
    fault: () => fault,
    onRequest() {
      requests++;
      for (const w of [...waiters]) w();
    },
  };

  function listen(port: number): Promise<number> {
    const s = createServer({ noDelay: true }, function onConnection(socket) {
      accepted++;
      open.set(socket, serveConnection(socket, context));
      socket.on('close', () => open.delete(socket));
    });
    server = s;
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        const address = s.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  async function stopListening(): Promise<void> {
    const s = server;
    server = null;
    for (const drop of open.values()) drop();
    open.clear();
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  const port = await listen(options.port ?? 0);
  const setWord = (area: RegisterArea) => (address: number, value: number) => writeRaw(bank, area, address, 'uint16', 'big', value);
  const setBit = (area: BitArea) => (address: number, on: boolean | number) => writeRaw(bank, area, address, 'bool', 'big', Number(on));

  return {
    host,
    port,
    bank,
    setHolding: setWord('holding'),
    setInput: setWord('input'),
    setCoil: setBit('coil'),
    setDiscrete: setBit('discrete'),
    setInt32: (area, address, value, order = 'big') => writeRaw(bank, area, address, 'int32', order, value),
    setUint32: (area, address, value, order = 'big') => writeRaw(bank, area, address, 'uint32', order, value),
    setFloat32: (area, address, value, order = 'big') => writeRaw(bank, area, address, 'float32', order, value),
    write: (area, address, type, order, raw) => writeRaw(bank, area, address, type, order, raw),
    setFault(next) {
      fault = next;
      if (next?.kind === 'close') for (const drop of open.values()) drop();
    },
    refuse: stopListening,
    async accept() {
      if (server === null) await listen(port);
    },
    stats: () => ({ open: open.size, accepted, requests }),
    untilRequests(count, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (requests < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`simulator: ${requests} of ${count} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: stopListening,
  };
}
