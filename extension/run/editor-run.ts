/**
 * The vscode side of a graph editor's run: the engine worker thread (dist/worker.js) and a
 * status bar item with the run's progress. The logic lives in RunController (no vscode there).
 */
import * as vscode from 'vscode';
import type { RunEvent, RunStatus } from '../../engine/run/protocol.js';
import { RunController, type TaskStatus } from './run-controller.js';
import { spawnEngineWorker } from './worker-thread.js';
import { taskPercent } from '../../engine/task/task.js';

/**
 * A RunController for one editor, with its worker thread and status bar item. Dispose both
 * when the editor closes (the controller ends the thread).
 */
export function startEditorRun(
  extensionUri: vscode.Uri,
  fileName: string,
  post: (event: RunEvent) => void,
): { run: RunController; statusBar: vscode.Disposable } {
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath;
  const statusBar = new RunStatusBar(fileName);
  const run = new RunController({
    spawn: () => spawnEngineWorker(script),
    post,
    onStatus: (s) => {
      statusBar.update(s);
      if (s.step > 0) markTrained();
    },
    onTask: (t) => statusBar.updateTask(t),
  });
  return { run, statusBar };
}

/** The walkthrough's "Train it" step completes once any run has taken a step (a context key). */
let trainedOnce = false;
function markTrained(): void {
  if (trainedOnce) return;
  trainedOnce = true;
  void vscode.commands.executeCommand('setContext', 'backpropStudio.hasTrained', true);
}

/**
 * Epoch, step and loss in the status bar while a run is going (or has just ended); while a gradient
 * check or analysis runs, how far it is instead.
 */
class RunStatusBar {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  private status: RunStatus | null = null;
  private task: TaskStatus | null = null;

  constructor(private readonly fileName: string) {
    this.item.name = 'Backprop Studio training';
  }

  private get name(): string {
    return this.fileName.replace(/\.nngraph\.json$/, '');
  }

  updateTask(t: TaskStatus | null): void {
    this.task = t;
    if (!t) {
      if (this.status) this.update(this.status);
      else this.item.hide();
      return;
    }
    const what = t.kind === 'gradcheck' ? 'checking gradients' : 'analysing';
    this.item.text = `$(sync~spin) ${this.name}: ${what} ${taskPercent(t)} %`;
    this.item.tooltip = `Backprop Studio: ${t.label} (Cancel in the run panel)`;
    this.item.show();
  }

  update(s: RunStatus): void {
    this.status = s;
    if (this.task) return;
    const progress = `epoch ${s.epoch}/${s.epochs} · step ${s.step}${s.loss === null ? '' : ` · loss ${formatLoss(s.loss)}`}`;
    const name = this.name;
    switch (s.phase) {
      case 'idle':
        this.item.hide();
        return;
      case 'running':
        this.item.text = `$(loading~spin) ${name}: ${progress}`;
        break;
      case 'paused':
        this.item.text = `$(debug-pause) ${name}: ${progress}`;
        break;
      case 'finished':
        this.item.text = `$(check) ${name}: trained, ${progress}`;
        break;
      case 'failed':
        this.item.text = `$(error) ${name}: training failed`;
        break;
    }
    this.item.tooltip = s.error ? s.error.message : `Backprop Studio: training ${this.fileName}`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

function formatLoss(v: number): string {
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(4) : v.toExponential(2);
}
