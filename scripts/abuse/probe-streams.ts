/**
 * The probe's two stream clients, one per transport, on `topics=alarms`: each alarm_state the
 * bench appends carries `sent_at`, and the receipt time minus it is the delivery latency. Only
 * about 20 events a second arrive here, so plain parsing (the `ws` library, JSON.parse) costs
 * nothing that matters.
 */
import { get } from 'node:http';
import { WebSocket } from 'ws';
import { wallNow } from '../fanout/wall-clock.js';
import type { Delivery } from './protocol.js';

export interface ProbeStream {
  close(): void;
}

type Record_ = (d: Delivery) => void;
type Lost = (why: string) => void;

/** Opens `/ws?topics=alarms`; resolves once the snapshot arrived (from then on it is live). */
export function openWsProbe(url: string, token: string, record: Record_, lost: Lost): Promise<ProbeStream> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?topics=alarms`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  });
  let closing = false;
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const recvAt = wallNow();
      const m = JSON.parse(String(data)) as { type: string; sent_at?: number; due_at?: number };
      if (m.type === 'snapshot') resolve({ close: () => ((closing = true), ws.close(1000)) });
      else if (m.type === 'alarm_state' && typeof m.sent_at === 'number')
        record({ transport: 'ws', sentAt: m.sent_at, dueAt: m.due_at ?? NaN, recvAt });
    });
    ws.on('error', reject);
    ws.on('close', (code, reason) => {
      if (!closing) lost(`ws probe closed ${code} ${String(reason)}`);
    });
  });
}

/** Opens `/sse?topics=alarms` over node:http; resolves once the snapshot arrived. */
export function openSseProbe(url: string, token: string, record: Record_, lost: Lost): Promise<ProbeStream> {
  let closing = false;
  return new Promise((resolve, reject) => {
    const req = get(`${url}/sse?topics=alarms`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE probe: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => {
        const recvAt = wallNow();
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'snapshot') resolve({ close: () => ((closing = true), req.destroy()) });
          else if (event === 'alarm_state' && data !== undefined) {
            const m = JSON.parse(data) as { sent_at?: number; due_at?: number };
            if (typeof m.sent_at === 'number') record({ transport: 'sse', sentAt: m.sent_at, dueAt: m.due_at ?? NaN, recvAt });
          }
        }
      });
      res.on('close', () => {
        if (!closing) lost('sse probe stream ended');
      });
    });
    req.on('error', (err) => {
      if (!closing) reject(err);
    });
  });
}
