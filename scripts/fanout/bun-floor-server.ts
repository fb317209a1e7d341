/// <reference types="bun-types" />
/**
 * The Bun floor: a bare `Bun.serve` whose WebSockets all subscribe to one topic and get each
 * message by `server.publish`, and a bare SSE endpoint whose streams get each batch as one
 * chunk. No auth, no subscriptions, no journal: what the app on Bun costs beyond this is ours.
 * Same shape as floor-server.ts (the Node floor); runs only under Bun.
 */
export async function startBunFloorServer() {
  const encoder = new TextEncoder();
  const sse = new Set<ReadableStreamDirectController>();
  let sockets = 0;
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch(req, srv) {
      const path = new URL(req.url).pathname;
      if (path === '/sse') {
        let controller: ReadableStreamDirectController | undefined;
        const body = new ReadableStream({
          type: 'direct',
          pull(c) {
            controller = c;
            c.write('event: snapshot\ndata: {"type":"snapshot"}\n\n'); // what the bench's SSE clients wait for
            c.flush();
            sse.add(c);
            // A direct stream ends when pull resolves: hold it until the client goes.
            return new Promise<void>((resolve) => req.signal.addEventListener('abort', () => resolve()));
          },
          cancel() {
            if (controller) sse.delete(controller);
          },
        });
        req.signal.addEventListener('abort', () => controller && sse.delete(controller));
        return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
      }
      if (srv.upgrade(req, { data: undefined })) return undefined;
      return new Response('not found', { status: 404 });
    },
    websocket: {
      perMessageDeflate: false,
      idleTimeout: 0,
      sendPings: false,
      open(ws) {
        sockets++;
        ws.subscribe('alarms');
      },
      message() {},
      close() {
        sockets--;
      },
    },
  });

  return {
    wsUrl: `ws://127.0.0.1:${server.port}/`,
    sseUrl: `http://127.0.0.1:${server.port}/sse`,
    clients: () => sockets + sse.size,
    /** Publishes every message of the batch to every WebSocket; each SSE stream gets the batch in one write. */
    broadcast(ws: readonly Buffer[], sseBlocks: readonly Buffer[]): void {
      for (const message of ws) server.publish('alarms', message.toString());
      const chunk = encoder.encode(sseBlocks.map((b) => b.toString()).join(''));
      for (const c of sse) {
        c.write(chunk);
        c.flush();
      }
    },
    close: async () => void (await server.stop(true)),
  };
}
