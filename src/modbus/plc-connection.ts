/**
 * One Modbus TCP connection to a PLC: modbus-serial on a socket we own and can always kill.
 * Several reads may be in flight at once; modbus-serial matches replies by transaction id.
 */
import { Socket } from 'node:net';
import modbusSerial from 'modbus-serial';
import { createMbapGuard } from './mbap-guard.js';
import { exceptionError, PollError, socketError } from './poll-error.js';
import type { Area } from '../kernel/enums.js';

export interface PlcTarget {
  host: string;
  port: number;
  /** Where to connect when `host` was resolved already (see host-resolver.ts); errors name `host`. */
  address?: string;
}

export interface PlcConnection {
  /** Reads one block and resolves with the reply's data bytes; rejects with a PollError. */
  read(request: { area: Area; start: number; count: number }, unitId: number, timeoutMs: number): Promise<DataView>;
  /** Destroys the socket; a reply still on its way can never reach a later request. */
  close(): void;
  readonly closed: boolean;
}

export type ConnectPlc = (target: PlcTarget, timeoutMs: number) => Promise<PlcConnection>;

// Our own timer fires just after modbus-serial's, in case the library's never does.
const GUARD_SLACK_MS = 20;

type Client = InstanceType<typeof modbusSerial.default>;

export const connectPlc: ConnectPlc = function connectPlc(target, timeoutMs) {
  const address = target.address ?? target.host;
  const label = address === target.host ? `${target.host}:${target.port}` : `${target.host}:${target.port} (${address})`;
  const socket = new Socket();
  let failure: PollError | null = null;
  let closed = false;
  // The reads in flight, by the function that fails each one.
  const inFlight = new Set<(err: PollError) => void>();
  let library: Client | undefined;

  const kill = (err: PollError): void => {
    failure ??= err;
    closed = true; // at once: 'close' comes a tick later, and no read may start in between
    // The library's own time-out timers of the requests in flight go too: each would keep the
    // worker's event loop alive for up to timeout_ms, so a stopping worker could not exit by itself.
    library?.destroy(() => undefined);
    socket.destroy();
  };

  return new Promise<PlcConnection>((resolve, reject) => {
    const connectGuard = setTimeout(
      () => kill(new PollError('connect_timeout', `connect to ${label} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', (err) => void (failure ??= socketError(err, label)));
    // isOpen in modbus-serial can stay true after a pulled cable; the socket's close is the truth.
    socket.on('close', () => {
      closed = true;
      clearTimeout(connectGuard);
      const err = failure ?? new PollError('reset', `connection closed by ${label}`);
      reject(err);
      for (const fail of [...inFlight]) fail(err);
    });
    socket.connect({ host: address, port: target.port, noDelay: true }, () => {
      clearTimeout(connectGuard);
      socket.setNoDelay(true);
      guardReplies();
      const client: Client = new modbusSerial.default();
      library = client;
      client.on('error', () => undefined); // socket errors are handled above
      client.linkTCP(socket, { port: target.port }).then(
        () => resolve(connection(client)),
        (err: unknown) => kill(new PollError('protocol', `cannot set up Modbus on ${label}: ${String(err)}`)),
      );
    });
  });

  /**
   * modbus-serial's TcpPort ignores the MBAP protocol id, so a frame that is not Modbus would be
   * decoded as data. We check each header first (prepended: our listener runs before the one
   * linkTCP adds) and fail the reads at once, so the library's parse of the same chunk, which
   * still runs after us, can no longer settle them.
   */
  function guardReplies(): void {
    const check = createMbapGuard();
    socket.prependListener('data', function checkReply(chunk: Buffer) {
      const problem = check(chunk);
      if (problem === undefined) return;
      const err = new PollError('protocol', `bad reply from ${label}: ${problem}`);
      kill(err);
      for (const fail of [...inFlight]) fail(err);
    });
  }

  function connection(client: Client): PlcConnection {
    let corked = false;
    // modbus-serial writes each request in a microtask of its own; requests issued in one turn
    // of the event loop while others are out (pipelining) leave in one TCP segment.
    const coalesce = (): void => {
      if (corked) return;
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    };

    return {
      get closed() {
        return closed;
      },
      close: () => kill(new PollError('reset', `connection to ${label} closed`)),
      read(request, unitId, timeoutMs) {
        if (closed) return Promise.reject(failure ?? new PollError('reset', `not connected to ${label}`));
        if (inFlight.size > 0) coalesce();
        client.setID(unitId);
        client.setTimeout(timeoutMs);
        return new Promise<DataView>((resolve, reject) => {
          const fail = (err: PollError): void => {
            clearTimeout(guard);
            inFlight.delete(fail);
            if (err.dropsConnection) kill(err);
            reject(err);
          };
          const guard = setTimeout(
            () => fail(new PollError('timeout', `no reply from ${label} within ${timeoutMs} ms`)),
            timeoutMs + GUARD_SLACK_MS,
          );
          inFlight.add(fail);
          send(client, request).then(
            (bytes) => {
              clearTimeout(guard);
              inFlight.delete(fail);
              resolve(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
            },
            (err: unknown) => fail(libraryError(err, label, timeoutMs)),
          );
        });
      },
    };
  }
};

function send(client: Client, r: { area: Area; start: number; count: number }): Promise<Buffer> {
  switch (r.area) {
    case 'holding':
      return client.readHoldingRegisters(r.start, r.count).then((res) => res.buffer);
    case 'input':
      return client.readInputRegisters(r.start, r.count).then((res) => res.buffer);
    case 'coil':
      return client.readCoils(r.start, r.count).then((res) => res.buffer);
    case 'discrete':
      return client.readDiscreteInputs(r.start, r.count).then((res) => res.buffer);
  }
}

/** modbus-serial rejects with ad-hoc objects; `modbusCode` and `errno` tell them apart. */
function libraryError(err: unknown, label: string, timeoutMs: number): PollError {
  const e = (err ?? {}) as { modbusCode?: unknown; errno?: unknown; message?: unknown };
  if (typeof e.modbusCode === 'number') return exceptionError(e.modbusCode);
  if (e.errno === 'ETIMEDOUT') return new PollError('timeout', `no reply from ${label} within ${timeoutMs} ms`);
  if (e.errno === 'ECONNREFUSED') return new PollError('reset', `connection to ${label} lost`);
  return new PollError('protocol', `bad reply from ${label}: ${String(e.message ?? err)}`);
}
