import type { Logger } from '../log/logger.js';
import type { DatapointService } from '../plant/datapoint-service.js';
import type { PlcService } from '../plant/plc-service.js';
import type { RuleService } from '../plant/rule-service.js';
import { demoDatapoints, demoPlc, demoRules } from './demo-plant.js';

export interface PlantServices {
  plcs: PlcService;
  datapoints: DatapointService;
  rules: RuleService;
}

/**
 * Puts the demo plant in an empty database (through the services, so it is journaled like
 * any change), or points an existing "Demo PLC" at the simulator's port of this run.
 */
export async function seedDemoPlant({ plcs, datapoints, rules }: PlantServices, simPort: number, log: Logger): Promise<void> {
  const existing = await plcs.list();
  const template = demoPlc(simPort);
  const demo = existing.find((p) => p.name === template.name);
  if (demo) {
    if (demo.port !== simPort || demo.host !== template.host) await plcs.update(demo.id, { host: template.host, port: simPort });
    return;
  }
  if (existing.length > 0) return; // a real plant: leave it alone
  const plc = await plcs.create(template);
  const ids = new Map<string, number>();
  for (const d of demoDatapoints) ids.set(d.label, (await datapoints.create({ ...d, plc_id: plc.id })).id);
  for (const { datapoint_label, suppress_when, ...rule } of demoRules) {
    await rules.create({
      ...rule,
      datapoint_id: ids.get(datapoint_label)!,
      suppress_when: suppress_when
        ? { datapoint_id: ids.get(suppress_when.datapoint_label)!, comparison: suppress_when.comparison, value: suppress_when.value }
        : null,
    });
  }
  log.info(`demo plant: ${demoDatapoints.length} datapoints and ${demoRules.length} rules on ${template.host}:${simPort}`);
}
