import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inbox } from './stream-clients.js';

/** How the receiver answers one request: a status (after a delay), a status and a body that never ends, a TCP reset, or never. */
export type Reply =
  | { status: number; delayMs?: number; body?: string }
  | { status: number; endless: true }
  | { reset: true }
  | { hang: true };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** the sender's port: the same for requests over one connection */
  client_port: number | undefined;
}

export interface WebhookReceiver {
  url: string;
  inbox: Inbox<ReceivedRequest>;
  /** Queues answers for the next requests, in order; once they are used up it answers 200. */
  reply(...replies: Reply[]): void;
  /** Resolves once `n` requests have come in, with all of them. */
  received(n: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP endpoint on 127.0.0.1 (port 0) that records what it receives and answers as scripted. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const inbox = new Inbox<ReceivedRequest>();
  const script: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = script.shift() ?? { status: 200 };
      inbox.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        client_port: req.socket.remotePort,
      });
      if ('reset' in reply) return req.socket.resetAndDestroy();
      if ('hang' in reply) return;
      if ('endless' in reply) return void res.writeHead(reply.status, { 'content-type': 'text/plain' }).write('and so on, ');
      const answer = () => res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? '');
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    inbox,
    reply: (...replies) => void script.push(...replies),
    async received(n) {
      await inbox.next(() => inbox.all.length >= n, `${n} requests`);
      return inbox.all.slice(0, n);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL nothing listens on: connecting to it is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hook`;
}
