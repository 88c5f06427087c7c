/**
 * What to do with a trained network: save its weights beside the graph, or export it. The host does
 * the work (extension/GraphEditorProvider.ts): the weights are the run's as they are when clicked,
 * and the exports use them once the run has taken a step.
 */
import React from 'react';
import { Button } from '../ui/controls.js';
import { postToHost } from '../host.js';
import { useRun } from './use-run.js';

export function ModelActions(): React.JSX.Element {
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
        onClick={() => postToHost({ type: 'saveWeights' })}
        testId="save-weights"
        disabled={step === 0}
        title={
          step === 0
            ? 'Train first: there are no trained weights to save yet'
            : `Write the weights after step ${step} to <name>.weights.json beside the graph`
        }
      >
        Save weights
      </Button>
      <Button
        secondary
        onClick={() => postToHost({ type: 'export', format: 'typescript' })}
        testId="export-typescript"
        title={`A dependency-free TypeScript module of this network, with ${weights}`}
      >
        Export TS
      </Button>
      <Button
        secondary
        onClick={() => postToHost({ type: 'export', format: 'onnx' })}
        testId="export-onnx"
        title={`An ONNX model (opset 17) of this network, with ${weights}`}
      >
        Export ONNX
      </Button>
    </div>
  );
}
