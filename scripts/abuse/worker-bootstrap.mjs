// Node 20 will not start a .ts worker through tsx's --import (see src/modbus/worker-bootstrap.mjs):
// this plain module registers tsx's loader in the new thread, then imports the .ts entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
