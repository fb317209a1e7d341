// Source runs only (vitest, tsx): Node 20 will not load a .ts worker through tsx's --import,
// so the worker starts here, registers tsx's loader in this thread, then imports the .ts entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
