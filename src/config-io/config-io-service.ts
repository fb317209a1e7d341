import type { Db } from '../db/database.js';
import { journalRange } from '../journal/events.js';
import { listNotifiers } from '../notify/notifier-repository.js';
import type { Journal } from '../journal/journal.js';
import type { PlantChange } from '../plant/plant-context.js';
import { applyPlan } from './apply-plan.js';
import { readConfigSnapshot, readCurrentConfig } from './current-config.js';
import { plantFileOf } from './file-form.js';
import { planImport } from './import-plan.js';
import { reportOf, type ImportReport } from './import-report.js';
import type { ImportPlan } from './import-steps.js';
import { planNotifiers } from './plan-notifiers.js';
import { parsePlantFile, type PlantFile } from './plant-file.js';

/** Runs an edit of one notifier with its delivery loop stopped (src/notify/notifier-fleet.ts). */
export type NotifierHold = <T>(id: number, edit: () => Promise<T>) => Promise<T>;

export interface ConfigIoDeps {
  db: Db;
  journal: Journal;
  /** Told of committed plant changes, as the plant services tell them. */
  changed(changes: PlantChange[]): void;
  /** Resolves once the changes told so far reached the engine and the poller. */
  settled(): Promise<void>;
  whileNotifierStopped: NotifierHold;
}

export interface ImportRequest {
  dryRun: boolean;
  prune: boolean;
}

/** Notifiers whose settings the file replaces or deletes: their loops stop until the import commits. */
async function editedNotifiers(db: Db, file: PlantFile, prune: boolean): Promise<number[]> {
  const { deletes, writes } = planNotifiers(await listNotifiers(db), file.notifiers, prune, []);
  return [...deletes, ...writes].flatMap((s) => (s.resource === 'notifier' && s.action !== 'create' ? [s.before.id] : []));
}

/**
 * The configuration as a plant file, out and in (README, "Config as files"). An import is all or
 * nothing: planned and applied in one journal transaction, against the configuration as that
 * transaction reads it, with the same config events the REST API journals.
 */
export function configIoService(deps: ConfigIoDeps) {
  const { db, journal } = deps;

  async function apply(file: PlantFile, prune: boolean, user: string | null): Promise<ImportPlan> {
    const held = await editedNotifiers(db, file, prune);
    const journalHead = (await journalRange(db)).last;
    const run = () =>
      journal.record(async (trx, ts) => {
        const current = await readCurrentConfig(trx);
        const plan = planImport(current, file, { prune });
        const { events, changes } = await applyPlan(trx, current, plan, { user, ts, journalHead });
        return { result: { plan, changes }, events };
      });
    // The run wrapped in one hold per notifier: each loop stops before it, and starts after it as the database has it.
    const hold = held.reduceRight<() => ReturnType<typeof run>>((inner, id) => () => deps.whileNotifierStopped(id, inner), run);
    const { plan, changes } = await hold();
    deps.changed(changes);
    await deps.settled(); // an import answered is an import the engine runs
    return plan;
  }

  return {
    async exportFile(): Promise<PlantFile> {
      return plantFileOf(await readConfigSnapshot(db));
    },

    /** Plans the file against the configuration and, unless a dry run, applies it. 400 when the file is bad: nothing applied. */
    async importFile(input: unknown, request: ImportRequest, user: string | null): Promise<ImportReport> {
      const file = parsePlantFile(input);
      const plan = request.dryRun ? planImport(await readConfigSnapshot(db), file, request) : await apply(file, request.prune, user);
      return reportOf(plan, request);
    },
  };
}

export type ConfigIoService = ReturnType<typeof configIoService>;
