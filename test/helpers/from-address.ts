import { request } from 'node:http';

/**
 * A JSON POST from a chosen loopback source address (127.0.0.0/8 is all ours), so a test can
 * be many clients at once the way the server counts them: by peer address.
 */
export function postFrom(
  localAddress: string,
  url: string,
  body: unknown,
): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
