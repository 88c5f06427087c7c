/**
 * `schedule` cases: the learning rate at each step of a torch.optim.lr_scheduler. The scheduler
 * and its arguments are in the case's name, `<kind>/<arg>=<value>,...` with PyTorch's argument
 * names (e.g. `cosine/T_max=10,eta_min=0.001`); `base_lr` is the optimiser's learning rate.
 */
import type { ScheduleConfig } from '../../graph/document.js';
import { createSchedule } from '../../optim/schedules.js';
import { CaseError, numberField, numbersField, stringField } from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';

/** Per scheduler name: our kind and PyTorch's argument names mapped to ours. */
const SCHEDULERS: Readonly<Record<string, { kind: ScheduleConfig['kind']; args: Record<string, string> }>> = {
  step: { kind: 'step', args: { step_size: 'stepSize', gamma: 'gamma' } },
  exponential: { kind: 'exponential', args: { gamma: 'gamma' } },
  cosine: { kind: 'cosine', args: { T_max: 'tMax', eta_min: 'etaMin' } },
  linear_warmup: {
    kind: 'linear_warmup',
    args: { start_factor: 'startFactor', end_factor: 'endFactor', total_iters: 'totalIters' },
  },
  onecycle: {
    kind: 'one_cycle',
    args: {
      max_lr: 'maxLr',
      total_steps: 'totalSteps',
      pct_start: 'pctStart',
      div_factor: 'divFactor',
      final_div_factor: 'finalDivFactor',
    },
  },
};

/** `cosine/T_max=10,eta_min=0.001` as a ScheduleConfig. */
export function scheduleConfigOfName(name: string): ScheduleConfig {
  const [kindName = '', argText = ''] = name.split('/', 2);
  const row = SCHEDULERS[kindName];
  if (!row)
    throw new CaseError(
      `scheduler '${kindName}' in the name is not one of ${Object.keys(SCHEDULERS).join(', ')}`,
    );
  const config: Record<string, unknown> = { kind: row.kind };
  for (const part of argText.split(',').filter(Boolean)) {
    const [k = '', v = ''] = part.split('=', 2);
    const ours = row.args[k];
    const value = Number(v);
    if (!ours)
      throw new CaseError(`argument '${k}' of ${kindName} is not one of ${Object.keys(row.args).join(', ')}`);
    if (v === '' || !Number.isFinite(value)) throw new CaseError(`argument ${k}=${v} is not a number`);
    config[ours] = value;
  }
  return config as ScheduleConfig;
}

export const runScheduleCase: CaseHandler = (c) => {
  const schedule = createSchedule(scheduleConfigOfName(stringField(c, 'name')), numberField(c, 'base_lr'));
  const expected = numbersField(c, 'lr_at_each_step');
  const cmp = new Comparisons();
  cmp.add(
    'lr_at_each_step',
    expected.map((_, t) => schedule(t)),
    expected,
  );
  return cmp.list;
};
