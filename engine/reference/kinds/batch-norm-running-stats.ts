/** `batch_norm_running_stats` cases: running mean/var after one training step from mean 0, var 1. */
import { ProgramBuilder } from '../../autodiff/program.js';
import { numberField, tensorsField, toTensor, CaseError } from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';

export const runBatchNormRunningStatsCase: CaseHandler = (c, { dtype }) => {
  const x = tensorsField(c, 'inputs', dtype).get('x');
  if (!x) throw new CaseError('inputs.x is missing');
  const b = new ProgramBuilder(dtype);
  const input = b.input('x', x.shape, { value: x });
  b.node('bn', 'batch_norm', [input], { momentum: numberField(c, 'momentum') });
  const program = b.build();
  program.setTraining(true);
  program.forward();
  const state = program.nodes[0]!.ctx.state;
  const cmp = new Comparisons();
  cmp.add('running_mean', state.running_mean!.data, toTensor(c.running_mean, dtype, 'running_mean').data);
  cmp.add('running_var', state.running_var!.data, toTensor(c.running_var, dtype, 'running_var').data);
  return cmp.list;
};
