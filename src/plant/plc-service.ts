import { onUniqueViolation } from '../db/constraint.js';
import { listDatapoints } from './datapoint-repository.js';
import { deletePlc, findPlc, insertPlc, listPlcs, updatePlc } from './plc-repository.js';
import { conflict, notFound } from '../kernel/errors.js';
import { deleteDatapointsOf } from './datapoint-service.js';
import { configEvent, type PlantContext } from './plant-context.js';
import type { Plc, PlcInput, PlcPatchInput } from './plc.js';

const duplicateName = (p: PlcInput) => () => conflict(`a PLC named "${p.name}" already exists`);

/** PLC CRUD; a PLC with datapoints is deleted only when the caller asks for the cascade. */
export function plcService({ db, journal, changed }: PlantContext) {
  return {
    list: () => listPlcs(db),

    async get(id: number): Promise<Plc> {
      return (await findPlc(db, id)) ?? Promise.reject(notFound('PLC'));
    },

    async create(input: PlcInput, user: string | null = null): Promise<Plc> {
      const plc = await journal.record(async (trx, ts) => {
        const p = await onUniqueViolation(insertPlc(trx, input, ts), duplicateName(input));
        return { result: p, events: [configEvent('plc', 'created', p, { user })] };
      });
      changed([{ kind: 'topology' }]);
      return plc;
    },

    async update(id: number, patch: PlcPatchInput, user: string | null = null): Promise<Plc> {
      const plc = await journal.record(async (trx, ts) => {
        const current = await findPlc(trx, id);
        if (!current) throw notFound('PLC');
        const merged = { ...current, ...patch };
        const p = await onUniqueViolation(updatePlc(trx, id, merged, ts), duplicateName(merged));
        return { result: p, events: [configEvent('plc', 'updated', p, { user, before: current })] };
      });
      changed([{ kind: 'topology' }]);
      return plc;
    },

    async remove(id: number, cascade: boolean, user: string | null = null): Promise<void> {
      const changes = await journal.record(async (trx, _ts) => {
        const plc = await findPlc(trx, id);
        if (!plc) throw notFound('PLC');
        const datapoints = await listDatapoints(trx, { plcId: id });
        if (datapoints.length > 0 && !cascade) {
          throw conflict(`PLC "${plc.name}" still has ${datapoints.length} datapoint(s); delete them or pass ?cascade=1`);
        }
        const { events, changes } = await deleteDatapointsOf(trx, datapoints, user);
        await deletePlc(trx, id);
        return { result: changes, events: [...events, configEvent('plc', 'deleted', plc, { user })] };
      });
      changed(changes);
    },
  };
}

export type PlcService = ReturnType<typeof plcService>;
