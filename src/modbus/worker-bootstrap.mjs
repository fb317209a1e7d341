// Source runs only (vitest, tsx, bun): Node 20 will not load a .ts worker through tsx's --import,
// so the worker starts here, registers tsx's loader in this thread, then imports the .ts entry.
// Bun runs TypeScript itself.
import { workerData } from 'node:worker_threads';

if (!process.versions.bun) (await import('tsx/esm/api')).register();
await import(workerData.entry);
