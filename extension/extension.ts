/** The extension's entry point: the graph editor, its commands and the Problems panel feed. */
import * as vscode from 'vscode';
import {
  chooseDatasetIn,
  GraphEditorProvider,
  graphEditorProbes,
  trainedWeightsOf,
} from './GraphEditorProvider.js';
import { registerGraphDiagnostics } from './diagnostics.js';
import { registerCommands } from './commands.js';
import { registerExportCommands } from './export-commands.js';
import type { BackpropStudioTestApi } from './test-api.js';

export function activate(context: vscode.ExtensionContext): BackpropStudioTestApi | undefined {
  context.subscriptions.push(
    GraphEditorProvider.register(context),
    registerGraphDiagnostics(),
    registerCommands(context),
    registerExportCommands(trainedWeightsOf, chooseDatasetIn),
  );
  // The extension-host suite's view of the graph editors; nothing is exported to other extensions.
  return context.extensionMode === vscode.ExtensionMode.Production
    ? undefined
    : { graphEditors: graphEditorProbes };
}

export function deactivate(): void {}
