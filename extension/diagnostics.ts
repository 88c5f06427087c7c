/**
 * The document's problems in VS Code's Problems panel, for every open `*.nngraph.json` whether it
 * is shown in the graph editor or as text: the same list the graph editor shows on its canvas.
 */
import * as vscode from 'vscode';
import type { Diagnostic } from '../engine/graph/document.js';
import { documentState, isGraphDocument, onDidChangeDataFiles, refreshDataFiles } from './graph-text.js';

const severities: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostic(d: Diagnostic, document: vscode.TextDocument): vscode.Diagnostic {
  const line = Math.min(Math.max((d.line ?? 1) - 1, 0), Math.max(document.lineCount - 1, 0));
  const text = document.lineAt(line);
  const start = d.column !== undefined ? Math.max(d.column - 1, 0) : text.firstNonWhitespaceCharacterIndex;
  const range = new vscode.Range(line, start, line, Math.max(text.range.end.character, start));
  const out = new vscode.Diagnostic(range, d.message, severities[d.severity]);
  out.source = 'Backprop Studio';
  out.code = d.code;
  return out;
}

export function registerGraphDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('backprop-studio');
  const update = (document: vscode.TextDocument) => {
    if (!isGraphDocument(document)) return;
    const { diagnostics } = documentState(document);
    collection.set(
      document.uri,
      diagnostics.map((d) => toVscodeDiagnostic(d, document)),
    );
  };
  vscode.workspace.textDocuments.forEach(update);
  // A CSV dataset created, fixed or deleted on disk changes what the graphs naming it say.
  const dataFiles = vscode.workspace.createFileSystemWatcher('**/*.{csv,CSV}');
  return vscode.Disposable.from(
    collection,
    dataFiles,
    dataFiles.onDidCreate(refreshDataFiles),
    dataFiles.onDidChange(refreshDataFiles),
    dataFiles.onDidDelete(refreshDataFiles),
    onDidChangeDataFiles(() => vscode.workspace.textDocuments.forEach(update)),
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => update(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  );
}
