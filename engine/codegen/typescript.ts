/**
 * Assembles one self-contained TypeScript module from a CodegenGraph: a forward and a backward
 * function per node (from the op's emitter), forward()/loss() (evaluation mode), gradients()
 * (generated reverse mode: the backward functions called in reverse execution order) and
 * trainStep() (the graph's optimiser), with the weights embedded or loaded from a JSON file.
 *
 * Numbers are float64 throughout (JavaScript numbers in Float64Arrays): the exported module then
 * computes exactly what the engine computes in float64, and a person can check it line by line.
 */
import type { CodegenGraph, CodegenNode, SymShape } from './ir.js';
import { showShape, sizeOfStatic } from './ir.js';
import { emitterFor } from './emitters/index.js';
import type { EmitCtx, LayerCode } from './emitter.js';
import { gradName } from './emitter.js';
import { HelperName, helperSources } from './helpers.js';
import { Namer, capitalise, toIdentifier } from './names.js';
import { optimizerCode } from './optimizers.js';

export interface TypeScriptOptions {
  /** Module name for the header (e.g. the graph file's base name). */
  name: string;
  /** Where the graph came from, for the header comment. */
  source?: string;
  /**
   * 'embedded': the weights are written into the module. 'file': the module starts without
   * weights and the caller passes the weights file's JSON to loadWeights() (named here for the
   * header's example).
   */
  weights: { kind: 'embedded' } | { kind: 'file'; fileName: string };
}

/** An op without an emitter, or another reason the graph can't be exported; names the node. */
export class CodegenError extends Error {
  constructor(
    message: string,
    readonly node?: string,
  ) {
    super(message);
    this.name = 'CodegenError';
  }
}

/**
 * Identifiers node values must not take: what forward(), loss() and gradients() refer to besides
 * node values (and the public API, to keep shadowing out of the reader's way). Layer function
 * names and gradient names come from the same Namer, so they can't collide either.
 */
const MODULE_NAMES = [
  'forward',
  'gradients',
  'trainStep',
  'loadWeights',
  'params',
  'state',
  'grads',
  'n',
  'inputs',
  'targets',
  'requireWeights',
  'fromRows',
  'toRows',
  'fromLabels',
  'addInto',
];

/** The generated source and the identifier each node got (keys of Params, Gradients, State). */
export interface GeneratedTypeScript {
  code: string;
  names: ReadonlyMap<string, string>;
}

interface NodeCode {
  node: CodegenNode;
  name: string;
  fwdName: string;
  bwdName: string;
  code: LayerCode;
  /** Parameter lists of the two functions (in call order): names as in the bodies. */
  fwdArgs: string[];
  bwdArgs: string[];
  /** The orchestration's variable for the layer's random mask (dropout), if it has one. */
  maskName: string | null;
  /** Ports (by index) whose gradients the backward function returns. */
  returns: number[];
}

const uses = (body: readonly string[], id: string): boolean =>
  new RegExp(`(?<![\\w.$])${id.replace(/\$/g, '\\$')}(?![\\w$])`).test(body.join('\n'));

const comment = (shape: SymShape): string => `// ${showShape(shape)}`;

export function generateTypeScript(graph: CodegenGraph, options: TypeScriptOptions): GeneratedTypeScript {
  const namer = new Namer();
  namer.reserve(...MODULE_NAMES);
  const helpers = new Set<HelperName>();
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));

  // Names: a value per node (and the input/target), its gradient, its two functions.
  const valueName = new Map<string, string>();
  const lossId = graph.loss;
  const inputs = graph.inputs ?? [graph.input];
  for (const id of [...inputs.map((i) => i.id), ...(graph.target ? [graph.target.id] : []), ...byId.keys()]) {
    // `loss` may name the loss node's value: inside the exported loss() it shadows nothing it uses.
    valueName.set(id, id === lossId && toIdentifier(id) === 'loss' ? 'loss' : namer.unique(id));
  }
  // A graph with several inputs reads its rows once, then cuts each input's columns out of them.
  const rowsName = inputs.length > 1 ? namer.unique('rows') : '';
  const gradVarName = new Map<string, string>();
  const gradVar = (id: string): string => {
    let g = gradVarName.get(id);
    if (!g) gradVarName.set(id, (g = namer.unique(`d${capitalise(valueName.get(id)!)}`)));
    return g;
  };

  const layers = graph.nodes.map((node) => layerCode(node, valueName.get(node.id)!, namer, helpers));

  const w = new Writer();
  header(w, graph, options);
  types(w, graph, valueName);
  w.section('Layers: each node of the graph as a forward function and its backward (reverse-mode) rule');
  for (const l of layers) writeLayer(w, l);

  // Ancestors decide what each entry point computes.
  const ancestors = (id: string): Set<string> => {
    const seen = new Set<string>();
    const visit = (v: string): void => {
      if (seen.has(v)) return;
      seen.add(v);
      for (const i of byId.get(v)?.inputs ?? []) visit(i.from);
    };
    visit(id);
    return seen;
  };
  const forPrediction = layers.filter((l) => ancestors(graph.prediction).has(l.node.id));
  const forLoss = layers.filter((l) => ancestors(lossId).has(l.node.id));
  const predShape = byId.get(graph.prediction)?.shape ?? graph.input.shape;
  const width = sizeOfStatic(predShape.slice(1) as number[]);
  const tgtName = graph.target ? valueName.get(graph.target.id)! : null;

  w.section('The network');
  const callForward = (l: NodeCode, training: boolean): void => {
    if (training && l.maskName) w.line(`const ${l.maskName} = ${l.code.mask!};`);
    const args = l.fwdArgs.map((a) => {
      if (a === 'training') return String(training);
      if (a === 'n') return 'n';
      if (a === 'mask') return training ? l.maskName! : 'null';
      const port = l.node.inputs.findIndex((i) => toIdentifier(i.port) === a);
      return valueName.get(l.node.inputs[port]!.from)!;
    });
    w.line(`const ${l.name} = ${l.fwdName}(${args.join(', ')}); ${comment(l.node.shape)}`);
  };
  const readInputs = (withTargets: boolean): string[] => {
    const widths = inputs.map((i) => sizeOfStatic(i.shape.slice(1) as number[]));
    const total = widths.reduce((a, b) => a + b, 0);
    const lines =
      inputs.length === 1
        ? [
            `const n = inputs.length;`,
            `const ${valueName.get(graph.input.id)!} = fromRows(inputs, ${total}, 'inputs'); ${comment(graph.input.shape)}`,
          ]
        : [
            `const n = inputs.length;`,
            `const ${rowsName} = fromRows(inputs, ${total}, 'inputs'); // each row: ${inputs.map((i, k) => `${i.id} (${widths[k]})`).join(', ')}`,
            // Each input's columns of the rows, side by side in the order the rows hold them.
            ...inputs.flatMap((input, k) => {
              const name = valueName.get(input.id)!;
              const at = widths.slice(0, k).reduce((a, b) => a + b, 0);
              return [
                `const ${name} = new Float64Array(n * ${widths[k]}); ${comment(input.shape)}`,
                `for (let i = 0; i < n; i++) ${name}.set(${rowsName}.subarray(i * ${total} + ${at}, i * ${total} + ${at + widths[k]!}), i * ${widths[k]});`,
              ];
            }),
          ];
    helpers.add('fromRows');
    if (withTargets && graph.target && tgtName) {
      const t = graph.target;
      if (t.shape.length === 1) {
        const classes = classesOf(graph);
        lines.push(`const ${tgtName} = fromLabels(targets, ${classes}); ${comment(t.shape)} class indices`);
        helpers.add('fromLabels');
      } else {
        lines.push(
          `const ${tgtName} = fromRows(targets, ${sizeOfStatic(t.shape.slice(1) as number[])}, 'targets'); ${comment(t.shape)}`,
        );
      }
    }
    if (options.weights.kind === 'file') lines.unshift('requireWeights();');
    return lines;
  };
  const predNode = forPrediction.find((l) => l.node.id === graph.prediction);
  w.doc(
    `The network's output (${predNode ? `${predNode.node.op} '${predNode.node.id}'` : 'the input'}) for a batch of samples, ` +
      `one row of ${width} per sample; evaluation mode${hasTrainingBehaviour(graph) ? ' (dropout off, batch norm on running statistics)' : ''}.`,
  );
  w.block(`export function forward(inputs: Batch): number[][] {`, () => {
    for (const line of readInputs(false)) w.line(line);
    for (const l of forPrediction) callForward(l, false);
    w.line(`return toRows(${valueName.get(graph.prediction)!}, ${width});`);
  });
  helpers.add('toRows');
  w.blank();

  const lossNode = byId.get(lossId)!;
  w.doc(`The loss (${lossNode.op} '${lossId}') of a batch; evaluation mode.`);
  w.block(`export function loss(inputs: Batch, targets: Targets): number {`, () => {
    for (const line of readInputs(true)) w.line(line);
    for (const l of forLoss) callForward(l, false);
    w.line(`return ${valueName.get(lossId)!}[0];`);
  });
  w.blank();

  w.doc(
    'The loss of a batch and its gradient with respect to every parameter, by reverse mode: the forward ' +
      'pass keeps every layer output, then the backward functions run in reverse order, each turning ' +
      'the gradient of its output into the gradients of its inputs and parameters. Training mode' +
      (hasTrainingBehaviour(graph)
        ? ' (dropout active, batch norm on batch statistics, running statistics updated).'
        : '.'),
  );
  w.block(
    `export function gradients(inputs: Batch, targets: Targets): { loss: number; grads: Gradients } {`,
    () => {
      for (const line of readInputs(true)) w.line(line);
      for (const l of forLoss) callForward(l, true);
      w.blank();
      w.line(`const grads = zeroParams();`);
      const lossVar = valueName.get(lossId)!;
      w.line(`const ${gradVar(lossId)} = Float64Array.of(1); // the loss's gradient with respect to itself`);
      const declared = new Set<string>([lossId]);
      for (const l of [...forLoss].reverse()) {
        if (!declared.has(l.node.id)) continue; // nothing differentiable flows through its output
        if (l.code.backward.length === 0) continue;
        const targetsOfReturn = l.returns.map((i) => l.node.inputs[i]!.from);
        const names = targetsOfReturn.map((from) => {
          if (!declared.has(from)) {
            declared.add(from);
            return { name: gradVar(from), accumulate: null as string | null };
          }
          return { name: namer.unique(gradVar(from)), accumulate: gradVar(from) };
        });
        const args = l.bwdArgs.map((a) => bwdArg(a, l, valueName, gradVar));
        const call = `${l.bwdName}(${args.join(', ')})`;
        if (names.length === 0) w.line(`${call};`);
        else if (names.length === 1) w.line(`const ${names[0]!.name} = ${call};`);
        else w.line(`const [${names.map((x) => x.name).join(', ')}] = ${call};`);
        for (const x of names) {
          if (x.accumulate) {
            w.line(`addInto(${x.accumulate}, ${x.name});`);
            helpers.add('addInto');
          }
        }
      }
      w.line(`return { loss: ${lossVar}[0], grads };`);
    },
  );
  w.blank();

  w.section('Training');
  const opt = optimizerCode(graph.training);
  for (const line of opt.declarations) w.line(line);
  w.blank();
  w.doc(
    `One training step on a batch: gradients, then the optimiser updates the parameters in place. ` +
      `Returns the batch's loss before the update.`,
  );
  w.block(`export function trainStep(inputs: Batch, targets: Targets, lr = LEARNING_RATE): number {`, () => {
    w.line(`const { loss, grads } = gradients(inputs, targets);`);
    w.line(`const p = paramList(params);`);
    w.line(`const g = paramList(grads);`);
    for (const line of opt.step) w.line(line);
    w.line(`return loss;`);
  });
  w.blank();

  w.section('Parameters and weights files');
  const key = (n: CodegenNode): string => valueName.get(n.id)!;
  weightsCode(w, graph, options, key);

  const used = helperSources(helpers);
  if (used.length) {
    w.section('Helpers');
    for (const src of used) {
      for (const line of src.split('\n')) w.line(line);
      w.blank();
    }
  }
  if (options.weights.kind === 'embedded') {
    w.section('Trained weights (float64, row-major)');
    embeddedWeights(w, graph, key);
  }
  return { code: w.text(), names: valueName };
}

function classesOf(graph: CodegenGraph): number {
  // The class count is the width of the loss's first input (the logits).
  const loss = graph.nodes.find((n) => n.id === graph.loss);
  const logits = loss?.inputs[0]?.shape;
  const last = logits?.[logits.length - 1];
  return typeof last === 'number' ? last : 2;
}

function hasTrainingBehaviour(graph: CodegenGraph): boolean {
  return graph.nodes.some((n) => n.op === 'dropout' || n.op === 'batch_norm');
}

function bwdArg(
  a: string,
  l: NodeCode,
  valueName: Map<string, string>,
  gradVar: (id: string) => string,
): string {
  if (a === 'n') return 'n';
  if (a === 'y') return l.name;
  if (a === 'dy') return gradVar(l.node.id);
  if (a === 'grad') return `grads.${l.name}`;
  if (a === 'mask') return l.maskName!;
  const port = l.node.inputs.findIndex((i) => toIdentifier(i.port) === a);
  return valueName.get(l.node.inputs[port]!.from)!;
}

function layerCode(node: CodegenNode, name: string, namer: Namer, helpers: Set<HelperName>): NodeCode {
  const emitter = emitterFor(node.op);
  if (!emitter) {
    throw new CodegenError(
      `node '${node.id}': op '${node.op}' has no TypeScript emitter yet, so this graph can't be exported ` +
        `to TypeScript; replace the node or export to ONNX`,
      node.id,
    );
  }
  const ports = node.inputs.map((i) => toIdentifier(i.port));
  const ctx: EmitCtx = {
    node,
    attrs: node.attrs,
    inputs: ports,
    inShapes: node.inputs.map((i) => i.shape),
    outShape: node.shape,
    needsGrad: node.inputs.map((i) => i.needsGrad),
    param: (p) => `params.${name}.${toIdentifier(p)}`,
    state: (s) => `state.${name}.${toIdentifier(s)}`,
    helper: (h) => {
      helpers.add(h);
      return h;
    },
  };
  let code: LayerCode;
  try {
    code = emitter.emit(ctx);
  } catch (e) {
    throw new CodegenError(`node '${node.id}' (${node.op}): ${(e as Error).message}`, node.id);
  }
  const fwdArgs = [...ports.filter((p) => uses(code.forward, p)), 'n', 'training', 'mask'].filter(
    (a, i, all) => all.indexOf(a) === i && uses(code.forward, a),
  );
  const returns = node.inputs.flatMap((inp, i) => (inp.needsGrad ? [i] : []));
  const bwdArgs = [...ports, 'y', 'dy', 'n', 'grad', 'mask'].filter(
    (a, i, all) => all.indexOf(a) === i && uses(code.backward, a),
  );
  return {
    node,
    name,
    maskName: code.mask ? namer.unique(`${name}Mask`) : null,
    fwdName: namer.unique(`${name}Forward`),
    bwdName: namer.unique(`${name}Backward`),
    code,
    fwdArgs,
    bwdArgs,
    returns: code.backward.length ? returns : [],
  };
}

function argType(a: string, l: NodeCode, forward = false): string {
  if (a === 'n') return 'number';
  if (a === 'mask') return forward ? 'Float64Array | null' : 'Float64Array';
  if (a === 'training') return 'boolean';
  if (a === 'grad') return `Gradients['${l.name}']`;
  return 'Float64Array';
}

function writeLayer(w: Writer, l: NodeCode): void {
  const { node } = l;
  const ins = node.inputs.map((i) => `${i.port} ${showShape(i.shape)}`).join(', ');
  w.doc(`${node.id}: ${node.op}, ${ins} → ${showShape(node.shape)}. ${l.code.doc}`);
  const sig = l.fwdArgs.map((a) => `${a}: ${argType(a, l, true)}`);
  w.block(w.signature(`function ${l.fwdName}`, sig, ': Float64Array {'), () => {
    for (const line of l.code.forward) w.line(line);
  });
  w.blank();
  if (l.code.backward.length === 0) return;
  const rets = l.returns.map((i) => gradName(toIdentifier(node.inputs[i]!.port)));
  const what = [
    ...(rets.length ? [`returns ${rets.map((r) => `dLoss/d${r.slice(1)}`).join(' and ')}`] : []),
    ...(node.params.length
      ? [`adds ${node.params.map((p) => `dLoss/d${p.name}`).join(' and ')} into grad`]
      : []),
  ];
  w.doc(`Backward of ${node.id}: given dy = dLoss/d${node.id}, ${what.join('; ')}.`);
  const sig2 = l.bwdArgs.map((a) => `${a}: ${argType(a, l)}`);
  const ret =
    rets.length === 0
      ? 'void'
      : rets.length === 1
        ? 'Float64Array'
        : `[${rets.map(() => 'Float64Array').join(', ')}]`;
  w.block(w.signature(`function ${l.bwdName}`, sig2, `: ${ret} {`), () => {
    for (const line of l.code.backward) w.line(line);
    if (rets.length === 1) w.line(`return ${rets[0]!};`);
    else if (rets.length > 1) w.line(`return [${rets.join(', ')}];`);
  });
  w.blank();
}

function header(w: Writer, graph: CodegenGraph, options: TypeScriptOptions): void {
  const chain = [
    (graph.inputs ?? [graph.input]).map((i) => `${i.id} ${showShape(i.shape)}`).join(' + '),
    ...graph.nodes.map((n) => `${n.id} (${n.op})`),
  ].join(' → ');
  const opt = graph.training.optimizer;
  const lines = [
    `${options.name}: a neural network exported by Backprop Studio${options.source ? ` from ${options.source}` : ''}.`,
    '',
    ...wrap(chain, 100),
    '',
    'forward(inputs)             the network output, one row per sample (evaluation mode)',
    'loss(inputs, targets)       the loss of a batch (evaluation mode)',
    'gradients(inputs, targets)  the loss and its gradient for every parameter (reverse mode)',
    `trainStep(inputs, targets)  one ${opt.kind} step on the parameters; returns the loss`,
    ...(options.weights.kind === 'file'
      ? [
          'loadWeights(file)           must run first: the weights are in a JSON file beside this module, e.g.',
          `                            loadWeights(JSON.parse(readFileSync('${options.weights.fileName}', 'utf8')))`,
        ]
      : ['loadWeights(file)           replaces the embedded weights with those of a weights file']),
    '',
    'Numbers are float64 (JavaScript numbers). Every tensor is a flat row-major Float64Array; its shape',
    'is in a comment, N being the number of samples in the batch. The module imports nothing.',
  ];
  w.line('/**');
  for (const l of lines) w.line(l ? ` * ${l}` : ' *');
  w.line(' */');
  w.blank();
}

/** The chain `a → b → c` in lines of at most `width`, broken before an arrow. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const step of text.split(' → ')) {
    if (line && line.length + step.length + 3 > width) {
      out.push(line);
      line = `→ ${step}`;
    } else line = line ? `${line} → ${step}` : step;
  }
  if (line) out.push(line);
  return out;
}

function types(w: Writer, graph: CodegenGraph, valueName: Map<string, string>): void {
  const inputs = graph.inputs ?? [graph.input];
  const inWidth = inputs.reduce((a, i) => a + sizeOfStatic(i.shape.slice(1) as number[]), 0);
  w.doc(
    `A batch of samples: one row of ${inWidth} ${inWidth === 1 ? 'number' : 'numbers'} per sample` +
      (inputs.length > 1
        ? `: the inputs side by side, ${inputs.map((i) => `${i.id} (${sizeOfStatic(i.shape.slice(1) as number[])})`).join(', then ')}.`
        : graph.input.shape.length > 2
          ? ` (${showShape(graph.input.shape.slice(1))} flattened row-major).`
          : '.'),
  );
  w.line(`export type Batch = readonly (readonly number[])[];`);
  w.blank();
  if (graph.target && graph.target.shape.length === 1) {
    w.doc(`Targets: one class index per sample.`);
    w.line(`export type Targets = readonly number[];`);
  } else {
    w.doc(`Targets: one row of values per sample.`);
    w.line(`export type Targets = readonly (readonly number[])[];`);
  }
  w.blank();
  const withParams = graph.nodes.filter((n) => n.params.length > 0);
  w.doc('Trainable parameters, by layer: row-major Float64Arrays (shapes in comments).');
  w.block('export interface Params {', () => {
    for (const n of withParams) {
      w.block(
        `${valueName.get(n.id)!}: {`,
        () => {
          for (const p of n.params) w.line(`${toIdentifier(p.name)}: Float64Array; ${comment(p.shape)}`);
        },
        '};',
      );
    }
  });
  w.blank();
  w.doc('Gradients have the shapes of the parameters.');
  w.line('export type Gradients = Params;');
  w.blank();
  const withState = graph.nodes.filter((n) => n.state.length > 0);
  if (withState.length) {
    w.doc('Non-trainable buffers (running statistics), updated by training-mode passes.');
    w.block('export interface State {', () => {
      for (const n of withState) {
        w.block(
          `${valueName.get(n.id)!}: {`,
          () => {
            for (const s of n.state) w.line(`${toIdentifier(s.name)}: Float64Array; ${comment(s.shape)}`);
          },
          '};',
        );
      }
    });
    w.blank();
  }
}

function weightsCode(
  w: Writer,
  graph: CodegenGraph,
  options: TypeScriptOptions,
  paramKey: (n: CodegenNode) => string,
): void {
  const withParams = graph.nodes.filter((n) => n.params.length > 0);
  const withState = graph.nodes.filter((n) => n.state.length > 0);
  w.doc('Parameters of the right shapes, all zero (the starting point of gradients).');
  w.block('function zeroParams(): Params {', () => {
    w.block(
      'return {',
      () => {
        for (const n of withParams) {
          const fields = n.params.map((p) => `${toIdentifier(p.name)}: new Float64Array(${p.data.length})`);
          w.line(`${paramKey(n)}: { ${fields.join(', ')} },`);
        }
      },
      '};',
    );
  });
  w.blank();
  w.doc(
    'Every parameter array in a fixed order: the optimiser walks parameters, gradients and its state together.',
  );
  w.block('function paramList(p: Params): Float64Array[] {', () => {
    const all = withParams.flatMap((n) => n.params.map((p) => `p.${paramKey(n)}.${toIdentifier(p.name)}`));
    const oneLine = `return [${all.join(', ')}];`;
    if (oneLine.length <= w.width()) w.line(oneLine);
    else w.block('return [', () => all.forEach((a) => w.line(`${a},`)), '];');
  });
  w.blank();
  w.doc('A Backprop Studio weights file (`*.weights.json`): values by node id and parameter name.');
  w.block('export interface WeightsFile {', () => {
    w.line(`format: 'backprop-studio.weights';`);
    w.line('weights: Record<string, Record<string, { shape: number[]; data: number[] }>>;');
  });
  w.blank();
  w.doc('Copies the values of a weights file into the parameters (and running statistics), checking sizes.');
  w.block('export function loadWeights(file: WeightsFile): void {', () => {
    for (const n of withParams)
      for (const p of n.params)
        w.line(
          `copyWeights(params.${paramKey(n)}.${toIdentifier(p.name)}, file, ${quote(n.id)}, ${quote(p.name)});`,
        );
    for (const n of withState)
      for (const s of n.state)
        w.line(
          `copyWeights(state.${paramKey(n)}.${toIdentifier(s.name)}, file, ${quote(n.id)}, ${quote(s.name)});`,
        );
    if (options.weights.kind === 'file') w.line('weightsLoaded = true;');
  });
  w.blank();
  w.block(
    'function copyWeights(into: Float64Array, file: WeightsFile, node: string, name: string): void {',
    () => {
      w.line('const values = file.weights[node]?.[name]?.data;');
      w.block('if (!values || values.length !== into.length) {', () => {
        w.line("const got = values ? `${values.length} values` : 'nothing';");
        w.line(
          'throw new Error(`weights file: ${node}.${name} has ${got}, expected ${into.length} values`);',
        );
      });
      w.line('into.set(values);');
    },
  );
  w.blank();
  if (options.weights.kind === 'file') {
    const fileName = options.weights.fileName;
    w.line(`export const params: Params = zeroParams();`);
    if (withState.length) {
      const parts = zeroStateParts(withState, paramKey);
      const oneLine = `export const state: State = { ${parts.join(', ')} };`;
      // As Prettier lays it out: one line if it fits, else one node per line.
      if (oneLine.length <= 110) w.line(oneLine);
      else w.block('export const state: State = {', () => parts.forEach((p) => w.line(`${p},`)), '};');
    }
    w.line('let weightsLoaded = false;');
    w.blank();
    w.block('function requireWeights(): void {', () => {
      w.line(
        `if (!weightsLoaded) throw new Error('call loadWeights() with the contents of ${fileName} first');`,
      );
    });
    w.blank();
  }
}

/** A single-quoted string literal. */
function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `node: { running_mean: new Float64Array(c), ... }` for each node with state. */
function zeroStateParts(nodes: readonly CodegenNode[], key: (n: CodegenNode) => string): string[] {
  return nodes.map((n) => {
    const fields = n.state.map((s) => `${toIdentifier(s.name)}: new Float64Array(${s.data.length})`);
    return `${key(n)}: { ${fields.join(', ')} }`;
  });
}

function embeddedWeights(w: Writer, graph: CodegenGraph, paramKey: (n: CodegenNode) => string): void {
  const withParams = graph.nodes.filter((n) => n.params.length > 0);
  const withState = graph.nodes.filter((n) => n.state.length > 0);
  const arrays = (list: readonly { name: string; shape: readonly number[]; data: Float64Array }[]): void => {
    for (const t of list) {
      const values = Array.from(t.data, (v) => String(v));
      const oneLine = `${toIdentifier(t.name)}: Float64Array.from([${values.join(', ')}]),`;
      w.line(comment(t.shape));
      if (oneLine.length <= w.width()) w.line(oneLine);
      else {
        w.line(`${toIdentifier(t.name)}: Float64Array.from([`);
        w.indent(() => {
          for (const chunk of chunks(values, w.width())) w.line(chunk);
        });
        w.line(']),');
      }
    }
  };
  w.block(
    'export const params: Params = {',
    () => {
      for (const n of withParams) w.block(`${paramKey(n)}: {`, () => arrays(n.params), '},');
    },
    '};',
  );
  if (withState.length) {
    w.blank();
    w.block(
      'export const state: State = {',
      () => {
        for (const n of withState) w.block(`${paramKey(n)}: {`, () => arrays(n.state), '},');
      },
      '};',
    );
  }
}

/** Comma-separated values filled into lines of at most `width` characters. */
function chunks(values: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const v of values) {
    const item = `${v},`;
    if (line && line.length + item.length + 1 > width) {
      lines.push(line);
      line = item;
    } else line = line ? `${line} ${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}

/** Lines with indentation; blocks and doc comments. */
class Writer {
  private readonly lines: string[] = [];
  private depth = 0;

  line(s: string): void {
    this.lines.push(s === '' ? '' : '  '.repeat(this.depth) + s);
  }

  blank(): void {
    if (this.lines.length && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }

  indent(f: () => void): void {
    this.depth++;
    f();
    this.depth--;
  }

  /** Characters left on a line at the current indentation (Prettier's print width, 110). */
  width(): number {
    return 110 - 2 * this.depth;
  }

  /** `name(a, b): T {` on one line if it fits, else one parameter per line as Prettier puts them. */
  signature(name: string, params: readonly string[], tail: string): string {
    const one = `${name}(${params.join(', ')})${tail}`;
    if (one.length <= this.width()) return one;
    return `${name}(\n${params.map((p) => `  ${p},`).join('\n')}\n)${tail}`;
  }

  block(open: string, body: () => void, close = '}'): void {
    for (const l of open.split('\n')) this.line(l);
    this.indent(body);
    this.line(close);
  }

  doc(text: string): void {
    const width = 106 - 2 * this.depth;
    const words = text.split(' ');
    const out: string[] = [];
    let line = '';
    for (const word of words) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(line);
    if (out.length === 1 && out[0]!.length <= width - 4) this.line(`/** ${out[0]} */`);
    else {
      this.line('/**');
      for (const l of out) this.line(` * ${l}`);
      this.line(' */');
    }
  }

  section(title: string): void {
    this.blank();
    this.line(`// ${'─'.repeat(3)} ${title} ${'─'.repeat(Math.max(3, 96 - title.length))}`);
    this.blank();
  }

  text(): string {
    while (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.join('\n') + '\n';
  }
}
