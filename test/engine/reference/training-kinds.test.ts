import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases, runCase } from '../../../engine/reference/run.js';
import { scheduleConfigOfName } from '../../../engine/reference/kinds/schedule.js';
import { optimizerConfigOf } from '../../../engine/reference/kinds/optimiser.js';

const file = join(__dirname, '../../../../shared/reference/pytorch-reference.json');
const cases = referenceCases(JSON.parse(readFileSync(file, 'utf8')));

for (const kind of ['optimiser', 'schedule', 'init'])
  for (const dtype of ['float64', 'float32'] as const) {
    const ofKind = cases.map((c, i) => [c, i] as const).filter(([c]) => c.kind === kind);
    test(`reference ${kind} cases pass in ${dtype}`, () => {
      assert.ok(ofKind.length >= 3, `the file has ${kind} cases`);
      for (const [c, i] of ofKind) {
        const r = runCase(c, i, { dtype });
        assert.ok(r.passed, `${r.name}: worst ${r.worst} (${r.detail})`);
        assert.ok(r.comparisons.length > 0);
      }
    });
  }

test('a deliberately wrong optimiser setting fails its case (the comparison can fail)', () => {
  const [c, i] = cases.map((x, k) => [x, k] as const).find(([x]) => x.kind === 'optimiser')!;
  const r = runCase({ ...c, config: { ...(c.config as object), lr: 0.11 } }, i, { dtype: 'float64' });
  assert.equal(r.passed, false);
});

test('case names and configurations map to our configuration types, or say what is wrong', () => {
  assert.deepEqual(scheduleConfigOfName('cosine/T_max=10,eta_min=0.001'), {
    kind: 'cosine',
    tMax: 10,
    etaMin: 0.001,
  });
  assert.throws(() => scheduleConfigOfName('warm/x=1'), /scheduler 'warm'/);
  assert.throws(() => scheduleConfigOfName('step/size=3'), /argument 'size' of step/);
  assert.deepEqual(optimizerConfigOf('adamw', { lr: 0.1, weight_decay: 0.5, betas: [0.8, 0.9] }), {
    kind: 'adamw',
    lr: 0.1,
    weightDecay: 0.5,
    betas: [0.8, 0.9],
  });
  assert.throws(() => optimizerConfigOf('lbfgs', { lr: 1 }), /optimiser 'lbfgs'/);
});
