import type { Logger } from '../log/logger.js';
import { createSimulator } from '../modbus/simulator.js';
import { startDemoPlant } from './process-model.js';
import { seedDemoPlant, type PlantServices } from './seed.js';

/** The fixed port of the demo simulator, when free (as `npm run simulate`). */
const DEMO_SIM_PORT = 5020;

/** Starts the demo: the simulator with its process model, and its rows in the database. */
export async function startDemo(services: PlantServices, log: Logger) {
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
