/**
 * The case kinds the reference runner knows, one handler file each. A kind missing here is
 * reported as a failed case ("no handler"), never skipped: the training work adds `optimiser`,
 * `schedule` and `init` rows.
 */
import type { CaseHandler } from '../result.js';
import { runOpCase } from './op.js';
import { runBatchNormRunningStatsCase } from './batch-norm-running-stats.js';
import { runNetworkCase } from './network.js';
import { runHessianCase } from './hessian.js';
import { runOptimiserCase } from './optimiser.js';
import { runScheduleCase } from './schedule.js';
import { runInitCase } from './init.js';

export const CASE_HANDLERS: Readonly<Record<string, CaseHandler>> = {
  op: runOpCase,
  batch_norm_running_stats: runBatchNormRunningStatsCase,
  network: runNetworkCase,
  hessian: runHessianCase,
  optimiser: runOptimiserCase,
  schedule: runScheduleCase,
  init: runInitCase,
};
