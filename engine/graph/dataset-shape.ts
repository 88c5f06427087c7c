/**
 * What a dataset feeds the graph: the shape of one input sample and what the target is. The
 * checker compares these with the graph's `input` and `target` nodes.
 */
import type { DatasetConfig } from './document.js';

export type TargetShape = { classes: number } | { features: number };

export interface DatasetShape {
  /** One sample's shape (no batch dimension). */
  input: number[];
  target: TargetShape;
}

export function datasetShape(d: DatasetConfig): DatasetShape {
  switch (d.kind) {
    case 'spiral':
    case 'circles':
    case 'moons':
    case 'xor':
    case 'blobs':
    case 'checkerboard':
      return { input: [2], target: { classes: d.classes ?? (d.kind === 'spiral' ? 3 : 2) } };
    case 'sine':
    case 'sawtooth':
    case 'step':
    case 'polynomial':
      return { input: [1], target: { features: 1 } };
    case 'digits':
      return { input: [1, 8, 8], target: { classes: 10 } };
    case 'csv':
      // The class count of a CSV is only known once it is read; the checker compares features only.
      return {
        input: [d.features.length],
        target: d.task === 'classification' ? { classes: 0 } : { features: 1 },
      };
  }
}
