/** Runs the Modbus TCP simulator with the demo plant alone: `PORT` (default 5020), `HOST`. */
import * as v from 'valibot';
import { demoDatapoints } from '../src/demo/demo-plant.js';
import { startDemoPlant } from '../src/demo/process-model.js';
import { createSimulator } from '../src/modbus/simulator.js';

const envSchema = v.object({
  HOST: v.optional(v.string(), '127.0.0.1'),
  PORT: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0), v.maxValue(65535)), '5020'),
});

const parsed = v.safeParse(envSchema, process.env);
if (!parsed.success) {
  console.error(`simulate: bad environment: ${parsed.issues.map((i) => `${v.getDotPath(i)} ${i.message}`).join('; ')}`);
  process.exit(1);
}
const env = parsed.output;

const sim = await createSimulator({ host: env.HOST, port: env.PORT });
const plant = startDemoPlant(sim);
console.log(`Modbus TCP simulator (demo plant) listening on ${sim.host}:${sim.port}`);
for (const d of demoDatapoints) {
  console.log(`  ${d.label.padEnd(14)} ${d.area.padEnd(8)} ${String(d.address).padStart(5)} ${d.type.padEnd(7)} ${d.description}`);
}

async function shutdown(signal: string): Promise<void> {
  console.log(`simulate: ${signal}, stopping`);
  plant.stop();
  await sim.close();
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
