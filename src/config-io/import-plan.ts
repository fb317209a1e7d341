import { AppError, type ErrorDetail } from '../kernel/errors.js';
import type { CurrentConfig } from './current-config.js';
import type { ImportPlan } from './import-steps.js';
import { planNotifiers } from './plan-notifiers.js';
import { planPlcs } from './plan-plcs.js';
import { planRules } from './plan-rules.js';
import type { PlantFile } from './plant-file.js';

export interface ImportOptions {
  /** Delete what a section of the file does not list (README, "Config as files"). */
  prune: boolean;
}

/**
 * What importing `file` into `current` does, step by step: pure, so a dry run and the import
 * itself plan alike. Throws a 400 listing every problem with its path in the file; a plan that
 * comes back can be applied as a whole. Deletes come first (rules, datapoints, PLCs, notifiers),
 * then creates and updates in file order, PLCs before their datapoints before rules.
 */
export function planImport(current: CurrentConfig, file: PlantFile, options: ImportOptions): ImportPlan {
  const problems: ErrorDetail[] = [];
  const plcs = planPlcs(current, file.plcs, options.prune, problems);
  const rules = planRules(current, file.rules, options.prune, plcs, problems);
  const notifiers = planNotifiers(current.notifiers, file.notifiers, options.prune, problems);
  if (problems.length > 0) throw new AppError('invalid_request', 'Invalid plant file', problems);
  return {
    steps: [...rules.deletes, ...plcs.deletes, ...notifiers.deletes, ...plcs.writes, ...rules.writes, ...notifiers.writes],
    unchanged: plcs.unchanged + rules.unchanged + notifiers.unchanged,
  };
}
