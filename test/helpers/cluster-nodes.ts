import { startMain } from './server-process.js';
import { until as untilWithin } from './until.js';
import { ADMIN, JWT_SECRET } from './test-app.js';

export type Json = any;

/** One node of a cluster as its own process, and the API the way a client calls it. */
export async function startNode(database: string, name: string, env: Record<string, string> = {}) {
  const proc = startMain({
    DATABASE: database,
    NODE_NAME: name,
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET,
    ...env,
  });
  const url = await proc.url();
  async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Json };
  }
  async function login(username = ADMIN.username, password = ADMIN.password): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login on ${name} failed: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.access_token as string;
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return {
    /** undefined while it runs */
    get exitCode() {
      return exitCode;
    },
    name,
    pid: proc.child.pid!,
    url,
    ws: url.replace(/^http/, 'ws'),
    lines: proc.lines,
    waitFor: proc.waitFor,
    call,
    login,
    exited,
    /** SIGKILL: the process dies at once, as a crash or a pulled plug would. */
    kill: () => proc.child.kill('SIGKILL'),
    /** SIGTERM: an orderly stop. */
    stop: () => proc.child.kill('SIGTERM'),
  };
}

export type ClusterNodeProcess = Awaited<ReturnType<typeof startNode>>;

/** `until` with the patience three processes and PostgreSQL on two cores need, beside the rest of the suite. */
export function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return untilWithin(what, read, check, timeoutMs);
}
