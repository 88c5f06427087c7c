/** The extension's entry point: the graph editor, its commands and the Problems panel feed. */
import * as vscode from 'vscode';
import { GraphEditorProvider } from './GraphEditorProvider.js';
import { registerGraphDiagnostics } from './diagnostics.js';
import { registerCommands } from './commands.js';
import { registerExportCommands } from './export-commands.js';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    GraphEditorProvider.register(context),
    registerGraphDiagnostics(),
    registerCommands(context),
    registerExportCommands(),
  );
}

export function deactivate(): void {}
