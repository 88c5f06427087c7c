/**
 * What to do with a trained network: save its weights beside the graph, or export it. The host does
 * the work (extension/GraphEditorProvider.ts): the weights are the run's as they are when clicked,
 * and the exports use them once the run has taken a step.
 */
import React from 'react';
import { Button } from '../ui/controls.js';
import { useHost } from '../host.js';
import type { ExportFormatId } from '../../extension/protocol.js';
import { useRun } from './use-run.js';

/** One row per export format (the host's "Export as …" commands). */
const EXPORTS: readonly { format: ExportFormatId; label: string; what: string }[] = [
  { format: 'typescript', label: 'Export TS', what: 'A dependency-free TypeScript module' },
  { format: 'onnx', label: 'Export ONNX', what: 'An ONNX model (opset 17)' },
  {
    format: 'pytorch',
    label: 'Export PyTorch',
    what: 'A PyTorch package (model, data, data-parallel training that saves its weights back)',
  },
];

export function ModelActions(): React.JSX.Element {
  const host = useHost();
  const step = useRun((s) => s.status?.step ?? 0);
  const stale = useRun((s) => s.status?.stale ?? false);
  const weights =
    step === 0
      ? 'initial weights'
      : stale
        ? 'initial weights (the run is behind the graph)'
        : `the weights after step ${step}`;
  return (
    <div className="model-actions" data-testid="model-actions">
      <Button
        secondary
        onClick={() => host.post({ type: 'loadWeights' })}
        testId="load-weights"
        title="Start a run from <name>.weights.json or .weights.safetensors beside the graph (or a weights file you pick), paused before its first step"
      >
        Load weights
      </Button>
      <Button
        secondary
        onClick={() => host.post({ type: 'saveWeights' })}
        testId="save-weights"
        disabled={step === 0}
        title={
          step === 0
            ? 'Train first: there are no trained weights to save yet'
            : `Write the weights after step ${step} to the weights file beside the graph (<name>.weights.json, or .weights.safetensors for big networks)`
        }
      >
        Save weights
      </Button>
      {EXPORTS.map((e) => (
        <Button
          key={e.format}
          secondary
          onClick={() => host.post({ type: 'export', format: e.format })}
          testId={`export-${e.format}`}
          title={`${e.what} of this network, with ${weights}`}
        >
          {e.label}
        </Button>
      ))}
    </div>
  );
}
