import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMiddleware } from 'hono/factory';
import type { HttpRuntime } from '../runtime/runtime.js';

/** The project's `public/` folder, found from this module whether it runs from src/ or dist/. */
export function findPublicDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'public')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('public/ not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return join(dir, 'public');
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

/** The pages and the browser client, with a strict Content-Security-Policy. */
export function staticPages(serveStatic: HttpRuntime['serveStatic'], publicDir = findPublicDir()) {
  // serveStatic resolves `root` against the working directory; a relative path keeps it happy.
  const root = relative(process.cwd(), publicDir) || '.';
  const securityHeaders = createMiddleware(async function securityHeaders(c, next) {
    await next();
    c.header('content-security-policy', CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    // No build step means no hashed file names: revalidate so an upgrade never mixes old and new modules.
    c.header('cache-control', 'no-cache');
  });
  return [securityHeaders, serveStatic(root)] as const;
}
