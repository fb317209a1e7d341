import type { Logger } from '../log/logger.js';
import { startDemoPlant } from '../modbus/demo-plant.js';
import { createSimulator } from '../modbus/simulator.js';
import { seedDemoPlant } from './demo-plant-seed.js';

/** The fixed port of the demo simulator, when free (as `npm run simulate`). */
const DEMO_SIM_PORT = 5020;

/** Starts the demo: the simulator with its process model, and its rows in the database. */
export async function startDemo(services: Parameters<typeof seedDemoPlant>[0], log: Logger) {
  const sim = await createSimulator({ port: DEMO_SIM_PORT }).catch(() => createSimulator({ port: 0 }));
  log.info(`demo: Modbus TCP simulator on ${sim.host}:${sim.port}`);
  const plant = startDemoPlant(sim);
  await seedDemoPlant(services, sim.port, log);
  return {
    sim,
    async stop() {
      plant.stop();
      await sim.close();
    },
  };
}

export type Demo = Awaited<ReturnType<typeof startDemo>>;
