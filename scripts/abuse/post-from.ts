import { request } from 'node:http';

/**
 * A JSON POST from a chosen loopback source address (127.0.0.0/8 is all loopback on Linux), as
 * test/helpers/from-address.ts does: the server counts sign-in limits per peer address. A copy,
 * not an import, so that building scripts/ does not pull test helpers into dist/.
 */
export function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; retryAfter: number }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? NaN) }));
    });
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, retryAfter: NaN }));
    req.end(JSON.stringify(body));
  });
}
