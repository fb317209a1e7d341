/**
 * The client workers: each is a worker_thread with an event loop of its own, so reading 2 million
 * replayed events or timing /healthz never runs on the server's loop (they still share the
 * machine's cores). Requests and answers are `{id, ...}` messages, one answer per request.
 */
import { parentPort, Worker } from 'node:worker_threads';

type Answer = { id: number; error?: string } & Record<string, unknown>;

export interface ClientWorker<C> {
  request<T>(command: C): Promise<T>;
  stop(): Promise<void>;
}

export function startWorker<C extends object>(entry: URL): ClientWorker<C> {
  const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: { entry: entry.href } });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (answer: Answer) => {
    const w = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.error !== undefined) w?.reject(new Error(answer.error));
    else w?.resolve(answer);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`worker ${entry.pathname} exited with ${code}`)));
  return {
    request<T>(command: C): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: (a) => resolve(a as T), reject });
        worker.postMessage({ id, ...command });
      });
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/** Inside a worker: answers each request with what `handle` returns (or the error it throws). */
export function serveRequests<C extends object>(handle: (command: C) => Promise<object>): void {
  const port = parentPort;
  if (port === null) throw new Error('not in a worker thread');
  port.on('message', (message: C & { id: number }) => {
    handle(message).then(
      (answer) => port.postMessage({ ...answer, id: message.id }),
      (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
}
