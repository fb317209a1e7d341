import { describe, expect, it } from 'vitest';
import { exceptionError, PollError, socketError, toPollError } from './poll-error.js';

describe('poll errors', () => {
  it.each([
    [0x01, 'Modbus exception 01 (illegal function)'],
    [0x02, 'Modbus exception 02 (illegal data address)'],
    [0x03, 'Modbus exception 03 (illegal data value)'],
    [0x04, 'Modbus exception 04 (server device failure)'],
    [0x0a, 'Modbus exception 0A (gateway path unavailable)'],
    [0x0b, 'Modbus exception 0B (gateway target device failed to respond)'],
    [0x7f, 'Modbus exception 7F (unknown exception)'],
  ])('names exception %i', (code, message) => {
    const err = exceptionError(code);
    expect(err.code).toBe('exception');
    expect(err.message).toBe(message);
    expect(err.dropsConnection).toBe(false);
  });

  it('classifies socket errors by errno code', () => {
    const t = '10.0.0.1:502';
    expect(socketError({ code: 'ECONNREFUSED' }, t).code).toBe('refused');
    expect(socketError({ code: 'ECONNRESET' }, t).code).toBe('reset');
    expect(socketError(new Error('getaddrinfo ENOTFOUND x'), t).code).toBe('unreachable');
    expect(socketError({ code: 'ECONNRESET' }, t).dropsConnection).toBe(true);
  });

  it('wraps unknown errors as protocol errors', () => {
    expect(toPollError(new Error('CRC error')).code).toBe('protocol');
    const same = new PollError('timeout', 'x');
    expect(toPollError(same)).toBe(same);
  });
});
