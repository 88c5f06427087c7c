/**
 * Fisher's Iris flowers (1936), a real tabular dataset that ships with Backprop Studio: 150
 * flowers, four measurements (cm) → one of three species, 50 each. The table is
 * engine/data/iris-table.ts (see media/data/NOTICE.md). Features are standardised like a CSV's
 * unless `standardize: false`.
 */
import { Tensor } from '../tensor/tensor.js';
import { standardizeColumns } from './csv.js';
import type { Dataset } from './dataset.js';
import { IRIS_ROWS } from './iris-table.js';

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
export const IRIS_SPECIES = ['setosa', 'versicolor', 'virginica'] as const;

export function irisDataset(opts: { standardize?: boolean } = {}): Dataset {
  const n = IRIS_ROWS.length;
  const f = IRIS_FEATURES.length;
  const x = Tensor.zeros([n, f], 'float64');
  const y = Tensor.zeros([n], 'float64');
  IRIS_ROWS.forEach((row, i) => {
    for (let j = 0; j < f; j++) x.data[i * f + j] = row[j]!;
    y.data[i] = row[f]!;
  });
  const standardize = opts.standardize ?? true;
  if (standardize) standardizeColumns(x);
  return {
    name: `Iris flowers: ${n} samples, 4 measurements → 3 species${standardize ? ' (standardised)' : ''}`,
    task: 'classification',
    x,
    y,
    classes: IRIS_SPECIES.length,
    classNames: IRIS_SPECIES.slice(),
    featureNames: IRIS_FEATURES.slice(),
    notes: standardize
      ? ['features standardised to mean 0 and standard deviation 1 (standardize: false keeps them in cm)']
      : [],
  };
}
