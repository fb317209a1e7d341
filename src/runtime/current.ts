import type { Runtime } from './runtime.js';

/**
 * The adapter of the runtime this process runs on. Each is loaded only on its own runtime:
 * Node cannot import `bun:sqlite`, and Bun does not run better-sqlite3.
 */
export async function currentRuntime(): Promise<Runtime> {
  return process.versions.bun ? (await import('./bun.js')).bunRuntime() : (await import('./node.js')).nodeRuntime();
}
