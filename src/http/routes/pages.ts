import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { routeDoc, Text } from '../openapi/route-doc.js';
import type { HttpRuntime } from '../../runtime/runtime.js';

/** The project's `public/` folder, found from this module whether it runs from src/ or dist/. */
export function findPublicDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'public')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`public/ not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return join(dir, 'public');
}

/** The server's version, as package.json says. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(findPublicDir(), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

// Pages load scripts and styles from this server only and never inline: an injected
// `<script>` in an alarm name cannot run even if a page forgot to escape it.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const securityHeaders = createMiddleware(async function securityHeaders(c, next) {
  await next();
  c.header('content-security-policy', CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
  // No build step means no hashed file names: revalidate so an upgrade never mixes old and new modules.
  c.header('cache-control', 'no-cache');
});

/** The pages and the browser client, with a strict Content-Security-Policy. */
export function staticPages(serveStatic: HttpRuntime['serveStatic'], publicDir = findPublicDir()) {
  // serveStatic resolves `root` against the working directory; a relative path keeps it happy.
  const root = relative(process.cwd(), publicDir) || '.';
  return [securityHeaders, serveStatic(root)] as const;
}

// Third-party browser modules, served from our own origin (the CSP allows no other): read once
// from the installed package, so `npm install` is the only step and the version is the lock's.
const VENDOR_FILES: Record<string, { module: string; type: string }> = {
  'uplot.js': { module: 'uplot/dist/uPlot.esm.js', type: 'text/javascript; charset=utf-8' },
  'uplot.css': { module: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
};

/** `GET /vendor/<file>`: the chart library (uPlot) for the KPI and trend charts. */
export function vendorFiles() {
  const require = createRequire(import.meta.url);
  const files = new Map(
    Object.entries(VENDOR_FILES).map(([name, { module, type }]) => [name, { body: readFileSync(require.resolve(module), 'utf8'), type }]),
  );
  const doc = routeDoc({
    tag: 'operations',
    summary: `A browser library the pages load from this origin: ${Object.keys(VENDOR_FILES).join(', ')}`,
    responses: { 200: { description: 'The file', content: { 'text/javascript': Text, 'text/css': Text } } },
  });
  return new Hono().use('/*', securityHeaders).get('/:file', doc, (c) => {
    const file = files.get(c.req.param('file'));
    return file ? c.body(file.body, 200, { 'content-type': file.type }) : c.notFound();
  });
}
