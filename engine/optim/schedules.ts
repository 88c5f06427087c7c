/**
 * Learning-rate schedules in PyTorch's closed forms (torch.optim.lr_scheduler). A schedule maps a
 * step count t (0 before the first scheduler.step()) to the learning rate.
 *
 * Which count drives t is PyTorch's usual practice, kept by the trainer: StepLR, ExponentialLR,
 * CosineAnnealingLR and LinearLR are stepped once per epoch; OneCycleLR once per batch.
 */
import type { ScheduleConfig } from '../graph/document.js';

export type Schedule = (t: number) => number;

/** Whether the schedule advances per epoch or per optimisation step (batch). */
export function scheduleUnit(config: ScheduleConfig | undefined): 'epoch' | 'step' {
  return config?.kind === 'one_cycle' ? 'step' : 'epoch';
}

/**
 * `totalSteps` fills in one-cycle's length when the configuration leaves it out (the trainer
 * passes epochs × batches per epoch).
 */
export function createSchedule(
  config: ScheduleConfig | undefined,
  baseLr: number,
  totalSteps?: number,
): Schedule {
  if (!config) return () => baseLr;
  switch (config.kind) {
    case 'constant':
      return () => baseLr;
    case 'step': {
      const { stepSize, gamma } = config;
      positive('step', 'stepSize', stepSize);
      return (t) => baseLr * gamma ** Math.floor(t / stepSize);
    }
    case 'exponential': {
      const { gamma } = config;
      return (t) => baseLr * gamma ** t;
    }
    case 'cosine': {
      const { tMax } = config;
      const etaMin = config.etaMin ?? 0;
      positive('cosine', 'tMax', tMax);
      return (t) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
    }
    case 'linear_warmup': {
      const { startFactor, totalIters } = config;
      const endFactor = config.endFactor ?? 1;
      positive('linear_warmup', 'totalIters', totalIters);
      return (t) =>
        baseLr * (startFactor + ((endFactor - startFactor) * Math.min(t, totalIters)) / totalIters);
    }
    case 'one_cycle':
      return oneCycle(config, totalSteps);
  }
}

function positive(kind: string, field: string, v: number): void {
  if (!(v > 0)) throw new Error(`schedule ${kind}: ${field} must be > 0, got ${v}`);
}

/**
 * OneCycleLR with PyTorch's defaults: two phases (three_phase false), cosine annealing, warm-up for
 * pct_start 0.3 of the steps from maxLr/25 up to maxLr, then down to maxLr/25/1e4. Steps past the
 * end (where PyTorch raises) stay at the final learning rate.
 */
function oneCycle(config: Extract<ScheduleConfig, { kind: 'one_cycle' }>, fallbackTotal?: number): Schedule {
  const total = config.totalSteps ?? fallbackTotal;
  if (total === undefined) throw new Error('schedule one_cycle: totalSteps is needed');
  positive('one_cycle', 'totalSteps', total);
  const pctStart = config.pctStart ?? 0.3;
  const divFactor = config.divFactor ?? 25;
  const finalDivFactor = config.finalDivFactor ?? 1e4;
  const initial = config.maxLr / divFactor;
  const min = initial / finalDivFactor;
  const phases = [
    { end: pctStart * total - 1, from: initial, to: config.maxLr },
    { end: total - 1, from: config.maxLr, to: min },
  ];
  const cos = (from: number, to: number, pct: number) =>
    to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1);
  return (t) => {
    const s = Math.min(t, total - 1);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i]!;
      if (s <= ph.end || i === phases.length - 1) return cos(ph.from, ph.to, (s - start) / (ph.end - start));
      start = ph.end;
    }
    return min;
  };
}
