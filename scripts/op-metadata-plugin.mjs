// An esbuild plugin for the webview bundle: the webview may import the engine's op metadata but not
// its kernels (DESIGN.md). Each op stays ONE object in engine/ops/ (name, attrs, shape, flops, doc and
// its kernels side by side); for the webview only, this plugin drops the kernel members from every
// `defineOp({...})` object literal as the files load. The imports that only kernels used (engine/kernels/,
// the gemm helpers) are then unused, so esbuild leaves those modules out of the bundle altogether.
// Which members are kernels is declared once, by KERNEL_MEMBERS in engine/ops/define.ts.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const OPS_DIR = /[\\/]engine[\\/]ops[\\/][^\\/]+\.ts$/;

/** KERNEL_MEMBERS' string literals, read from define.ts (a .mjs script can't import the .ts file). */
export function kernelMembers(defineTs) {
  const file = ts.createSourceFile(defineTs, readFileSync(defineTs, 'utf8'), ts.ScriptTarget.Latest, true);
  let names;
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === 'KERNEL_MEMBERS' && node.initializer) {
      let init = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
      if (ts.isArrayLiteralExpression(init))
        names = init.elements.filter(ts.isStringLiteral).map((e) => e.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!names?.length) throw new Error(`${defineTs}: no KERNEL_MEMBERS array of strings found`);
  return new Set(names);
}

/** The source with the kernel members removed from each `defineOp(...)`'s first argument. */
export function stripKernels(path, source, members) {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const transformer = (context) => (root) => {
    const visit = (node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'defineOp' &&
        node.arguments[0] &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        const spec = node.arguments[0];
        const kept = spec.properties.filter((p) => {
          const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : null;
          return !(name && members.has(name));
        });
        const stripped = context.factory.updateObjectLiteralExpression(spec, kept);
        node = context.factory.updateCallExpression(node, node.expression, node.typeArguments, [
          stripped,
          ...node.arguments.slice(1),
        ]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(root, visit);
  };
  const result = ts.transform(file, [transformer]);
  const out = ts.createPrinter().printFile(result.transformed[0]);
  result.dispose();
  return out;
}

/** @param {string} root the repository root */
export function opMetadataOnly(root) {
  return {
    name: 'op-metadata-only',
    setup(build) {
      const members = kernelMembers(`${root}/engine/ops/define.ts`);
      build.onLoad({ filter: OPS_DIR }, (args) => ({
        contents: stripKernels(args.path, readFileSync(args.path, 'utf8'), members),
        loader: 'ts',
      }));
    },
  };
}
