/**
 * Test support for generated modules: typecheck them with the TypeScript compiler API under
 * `--strict` (the equivalent of `tsc --strict --noEmit`), then transpile and load them in this
 * process, typed as the interface every generated module exports.
 */
import ts from 'typescript';

export type Rows = readonly (readonly number[])[];

/** What every generated module exports (targets are class indices or rows of values). */
export interface GeneratedModule {
  forward(inputs: Rows): number[][];
  loss(inputs: Rows, targets: readonly number[] | Rows): number;
  gradients(
    inputs: Rows,
    targets: readonly number[] | Rows,
  ): { loss: number; grads: Record<string, Record<string, Float64Array>> };
  trainStep(inputs: Rows, targets: readonly number[] | Rows, lr?: number): number;
  loadWeights(file: unknown): void;
  params: Record<string, Record<string, Float64Array>>;
  state?: Record<string, Record<string, Float64Array>>;
  setRandomSeed?: (seed: number) => void;
}

const STRICT: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
  // The library's own declarations are not under test; every diagnostic in the module still shows.
  skipLibCheck: true,
};

/**
 * Typechecks modules (file name → source) together under --strict with only the ES2022 library
 * (no DOM, no Node: the module must need neither) and returns every diagnostic, formatted.
 */
export function strictDiagnostics(files: ReadonlyMap<string, string>): string[] {
  const host = ts.createCompilerHost(STRICT);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => {
    const text = files.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, lang) : read(name, lang, onError, create);
  };
  host.fileExists = (
    (exists) => (name: string) =>
      files.has(name) || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([...files.keys()], STRICT, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    return `${d.file?.fileName ?? ''}${where ? `:${where.line + 1}:${where.character + 1}` : ''} ${msg}`;
  });
}

/** Transpiles a generated module to CommonJS and evaluates it; a fresh instance per call. */
export function loadGenerated(code: string): GeneratedModule {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  new Function('exports', 'module', js)(module.exports, module);
  return module.exports as unknown as GeneratedModule;
}

/** The module as Prettier would format it with the project's settings (a readability check). */
export async function prettierFormatted(code: string): Promise<string> {
  const prettier = await import('prettier');
  return prettier.format(code, {
    parser: 'typescript',
    singleQuote: true,
    printWidth: 110,
    trailingComma: 'all',
  });
}
