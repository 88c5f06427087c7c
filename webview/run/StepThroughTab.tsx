/**
 * The Step through tab: backprop on one mini-batch like a debugger. Start takes the run's next
 * batch (once the run is finished, a fresh one at the trained weights); Step / Back move one node (the batch fed to each input, forward in execution order, then backward in reverse); Run to
 * jumps to a chosen node's forward or backward step (the canvas selection picks it); Restart goes
 * back to before the first step; End leaves without training on the batch. Forward steps show the
 * node's output; backward steps the gradient arriving, the node's local rule, and what it passes
 * to each input and parameter. The numbers are the engine's (engine/autodiff/step-through.ts).
 */
import React from 'react';
import type { BackwardStep, ForwardStep, StepTarget } from '../../engine/autodiff/step-through.js';
import { Button, NativeSelect } from '../ui/controls.js';
import { useRun } from './use-run.js';
import type { RunTabProps } from './tabs.js';
import { TensorTable } from './TensorTable.js';
import { opInfo } from '../op-catalog.js';
import { stepControls, withStepKey } from './step-controls.js';

/** The stepped node, and for a node with several outputs the one this step computes. */
function StepNode(props: { step: ForwardStep | BackwardStep }): React.JSX.Element {
  const { node, port } = props.step;
  return (
    <>
      <code data-testid="trace-node">{node}</code>
      {port !== undefined ? (
        <span className="muted" data-testid="trace-port">
          {' '}
          output <code>{port}</code>
        </span>
      ) : null}
    </>
  );
}

function ForwardView(props: { step: ForwardStep }): React.JSX.Element {
  const { step } = props;
  return (
    <div className="step-view" data-testid="trace-forward">
      <h3>
        <span className="step-phase forward">forward</span> <StepNode step={step} />{' '}
        <span className="muted">({step.op})</span>
      </h3>
      {step.fed ? (
        <p className="muted">fed by the batch, nothing computed; the values it takes:</p>
      ) : (
        <p className="muted">
          reads {step.inputs.map((i, k) => [k ? ', ' : '', <code key={i}>{i}</code>])}; its output:
        </p>
      )}
      <TensorTable tensor={step.output} testId="trace-output" />
    </div>
  );
}

function BackwardView(props: { step: BackwardStep }): React.JSX.Element {
  const { step } = props;
  return (
    <div className="step-view" data-testid="trace-backward">
      <h3>
        <span className="step-phase backward">backward</span> <StepNode step={step} />{' '}
        <span className="muted">({step.op})</span>
      </h3>
      <div className="step-columns">
        <section>
          <h4>
            Incoming ∂L/∂{step.node}
            {step.port !== undefined ? `:${step.port}` : ''}
          </h4>
          <TensorTable tensor={step.incoming} testId="trace-incoming" signed />
        </section>
        <section className="local-rule" data-testid="trace-rule">
          <h4>Local rule</h4>
          <code className="rule-doc">{step.rule.doc}</code>
          {step.rule.jacobian ? <p className="rule-jacobian">{step.rule.jacobian}</p> : null}
        </section>
      </div>
      <h4>Passed on</h4>
      {step.passed.length === 0 ? (
        <p className="muted">Nothing: no input of this node needs a gradient.</p>
      ) : (
        <div className="passed-list">
          {step.passed.map((g) => (
            <section key={`${g.port}:${g.slot}`} className="passed" data-testid={`trace-passed-${g.slot}`}>
              <h5>
                <code>{g.port}</code> → <code>{g.slot}</code> <span className="muted">({g.kind})</span>
              </h5>
              <div className="step-columns">
                <div>
                  <span className="muted">this node’s contribution</span>
                  <TensorTable tensor={g.contribution} testId="trace-contribution" signed />
                </div>
                <div>
                  <span className="muted">accumulated ∂L/∂{g.slot}</span>
                  <TensorTable tensor={g.accumulated} testId="trace-accumulated" signed />
                </div>
              </div>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

export function StepThroughTab(props: RunTabProps): React.JSX.Element {
  const { requests, doc, selectedNode } = props;
  const tracing = useRun((s) => s.status?.tracing ?? false);
  const phase = useRun((s) => s.status?.phase ?? 'idle');
  const trace = useRun((s) => s.trace);
  const pending = useRun((s) => s.pending.trace !== null);
  // Input and target nodes are fed, not computed; an input's first step shows its batch (forward
  // only), the target has none to run to.
  const fed = React.useMemo(() => doc.nodes.filter((n) => opInfo(n.op)?.category === 'data'), [doc]);
  const nodeIds = React.useMemo(
    () => doc.nodes.filter((n) => n.op === 'input' || !fed.includes(n)).map((n) => n.id),
    [doc, fed],
  );
  // The backward pass starts at the loss: its backward step is the first one.
  const lossNode = React.useMemo(() => doc.nodes.find((n) => opInfo(n.op)?.category === 'losses')?.id, [doc]);
  const [target, setTarget] = React.useState<StepTarget>({
    // An input has no backward step: the first computed node is the first choice.
    node:
      selectedNode && nodeIds.includes(selectedNode)
        ? selectedNode
        : (doc.nodes.find((n) => !fed.includes(n))?.id ?? ''),
    phase: 'backward',
  });
  // The canvas selection is the natural way to point at a node.
  React.useEffect(() => {
    if (selectedNode && nodeIds.includes(selectedNode)) setTarget((t) => ({ ...t, node: selectedNode }));
  }, [selectedNode, nodeIds]);

  const can = stepControls({ phase, tracing }, trace);
  const step = trace?.step ?? null;
  const position = trace?.position ?? 0;
  const length = trace?.length ?? 0;
  return (
    <div className="step-tab">
      <div className="step-controls">
        <div className="button-row">
          <Button
            onClick={() => requests.trace('start')}
            disabled={!can.start}
            testId="trace-start"
            title={withStepKey(
              phase === 'finished'
                ? 'Take a fresh mini-batch at the trained weights and stand before its first forward step'
                : "Take the run's next mini-batch and stand before its first forward step",
              'step',
            )}
          >
            Start
          </Button>
          <Button
            secondary
            onClick={() => requests.trace('back')}
            disabled={!can.back}
            testId="trace-back"
            title={withStepKey('One step back', 'back')}
          >
            ◀ Back
          </Button>
          <Button
            secondary
            onClick={() => requests.trace('step')}
            disabled={!can.step}
            testId="trace-step"
            title={withStepKey('One step: the next node forward, then backward', 'step')}
          >
            Step ▶
          </Button>
        </div>
        <div className="button-row">
          <Button
            secondary
            onClick={() => lossNode && requests.traceTo({ node: lossNode, phase: 'backward' })}
            disabled={!can.active || !lossNode}
            testId="trace-to-backward"
            title="Finish the forward pass and stand on the loss, the first backward step"
          >
            To backward ▶▶
          </Button>
          <Button
            secondary
            onClick={() => requests.trace('finish')}
            disabled={!can.finish}
            testId="trace-finish"
            title={withStepKey('Run the remaining steps: the whole backward pass', 'continue')}
          >
            To end ▶|
          </Button>
        </div>
        <div className="button-row">
          <Button
            secondary
            onClick={() => requests.trace('restart')}
            disabled={!can.active}
            testId="trace-restart"
            title="Back to before the first step"
          >
            Restart
          </Button>
          <Button
            secondary
            onClick={() => requests.trace('end')}
            disabled={!can.active}
            testId="trace-end"
            title="Leave the step-through (the batch is not trained on)"
          >
            End
          </Button>
        </div>
        <div
          className="trace-position"
          data-testid="trace-position"
          data-position={position}
          data-length={length}
        >
          {tracing ? (
            <>
              step <b>{position}</b> of {length}
              {pending ? <span className="muted"> · working…</span> : null}
              <progress max={Math.max(1, length)} value={position} />
            </>
          ) : (
            <span className="muted">not stepping</span>
          )}
        </div>
        <div className="run-to">
          <NativeSelect
            label="run to node"
            value={target.node}
            options={nodeIds}
            testId="trace-target-node"
            onChange={(node) => setTarget((t) => ({ ...t, node }))}
          />
          <NativeSelect
            label="phase"
            value={target.phase}
            options={['forward', 'backward']}
            testId="trace-target-phase"
            onChange={(p) => setTarget((t) => ({ ...t, phase: p === 'forward' ? 'forward' : 'backward' }))}
          />
          <Button
            secondary
            onClick={() => requests.traceTo(target)}
            disabled={!can.active || !target.node}
            testId="trace-run-to"
            title="Step (or replay) until this node's step has run"
          >
            Run to
          </Button>
        </div>
      </div>
      <div className="step-details">
        {!tracing ? (
          <p className="hint" data-testid="trace-hint">
            Start takes the run’s next mini-batch and pauses the run. Step runs one node at a time: forward
            through the graph, then backward from the loss, showing at each node the gradient it receives, its
            local rule and what it passes on. End returns to training without using the batch.
          </p>
        ) : step === null ? (
          <p className="hint" data-testid="trace-hint">
            Before the first forward step of the batch ({length} steps in all). The batch feeds{' '}
            {fed.map((n, k) => [
              k ? ', ' : '',
              <code key={n.id} data-testid="trace-fed">
                {n.id}
              </code>,
            ])}
            . Press Step.
          </p>
        ) : step.phase === 'forward' ? (
          <ForwardView step={step} />
        ) : (
          <BackwardView step={step} />
        )}
      </div>
    </div>
  );
}
