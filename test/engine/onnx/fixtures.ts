/**
 * ONNX models built with the project's own encoder, shaped like what PyTorch's newer exporter
 * (opset 18, `dynamo=True`) and Keras converters emit: MatMul + Add instead of Gemm, modules as
 * model-local functions, decomposed GELU and LayerNorm, Identity and Constant nodes, weights
 * as Constant nodes, axes as inputs. PyTorch can't run here; each fixture is checked with
 * onnxruntime before import is tested against it.
 */
import {
  attr,
  makeFunction,
  makeGraph,
  makeModel,
  makeNode,
  tensorValueInfo,
} from '../../../engine/onnx/builder.js';
import { AttributeType, ModelProto, NodeProto, TensorProto } from '../../../engine/onnx/onnx-proto.js';
import { floatTensor, int64Tensor } from '../../../engine/onnx/tensor-data.js';
import { Rng } from '../../../engine/tensor/random.js';
import type { StoredTensor } from './reference-models.js';

export interface Fixture {
  name: string;
  model: ModelProto;
  input: StoredTensor;
  /** The registry ops the import should produce, in order (without input/target/loss). */
  ops: string[];
}

class Weights {
  readonly rng: Rng;
  readonly initializers: TensorProto[] = [];
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  values(n: number, scale = 0.5): number[] {
    return Array.from({ length: n }, () => this.rng.uniform(-scale, scale));
  }
  /** A random initializer; its name is returned. */
  init(name: string, dims: number[], scale = 0.5): string {
    this.initializers.push(
      floatTensor(
        name,
        dims,
        this.values(
          dims.reduce((a, b) => a * b, 1),
          scale,
        ),
      ),
    );
    return name;
  }
  input(dims: number[]): StoredTensor {
    return {
      shape: dims,
      data: this.values(
        dims.reduce((a, b) => a * b, 1),
        2,
      ),
    };
  }
}

const scalar = (name: string, v: number): NodeProto =>
  makeNode('Constant', [], [name], [attr.tensor('value', floatTensor(`${name}_t`, [], [v]))]);

/** MatMul + Add layers, an Add whose bias is a Constant node, Identity nodes, a MatMul without bias. */
function mlpMatMulAdd(): Fixture {
  const w = new Weights(1);
  const node = [
    makeNode('MatMul', ['input', w.init('fc1.weight_t', [3, 8])], ['mm1'], [], { name: '/fc1/MatMul' }),
    makeNode('Add', ['mm1', w.init('fc1.bias', [8])], ['fc1'], [], { name: '/fc1/Add' }),
    makeNode('Relu', ['fc1'], ['relu'], [], { name: '/act/Relu' }),
    makeNode('Identity', ['relu'], ['relu_id']),
    makeNode('MatMul', ['relu_id', w.init('fc2.weight_t', [8, 5])], ['mm2'], [], { name: '/fc2/MatMul' }),
    makeNode('Constant', [], ['fc2.bias'], [attr.tensor('value', floatTensor('b', [5], w.values(5)))]),
    makeNode('Add', ['fc2.bias', 'mm2'], ['fc2'], [], { name: '/fc2/Add' }),
    makeNode('LeakyRelu', ['fc2'], ['lrelu'], [attr.float('alpha', 0.1)]),
    makeNode('MatMul', ['lrelu', w.init('head.weight_t', [5, 3])], ['head'], [], { name: '/head/MatMul' }),
    makeNode('Identity', ['head'], ['output']),
  ];
  const graph = makeGraph({
    name: 'mlp',
    node,
    input: [tensorValueInfo('input', ['batch', 3])],
    output: [tensorValueInfo('output', ['batch', 3])],
    initializer: w.initializers,
  });
  return {
    name: 'mlp_matmul_add_opset18',
    model: makeModel({ graph, opsetImport: [{ domain: '', version: 18 }], producerName: 'pytorch' }),
    input: w.input([4, 3]),
    ops: ['linear', 'relu', 'linear', 'leaky_relu', 'linear'],
  };
}

/**
 * Modules as local functions, as torch.onnx.export(dynamo=True) writes them: Linear (weight
 * transposed inside), GELU's erf form with Constant nodes, LayerNorm spelt out with opset 18's
 * axes-as-input ReduceMean and epsilon from the call's attribute.
 */
function functionsGeluLayerNorm(): Fixture {
  const w = new Weights(2);
  const domain = 'pkg.torch.test';
  const opset18 = [{ domain: '', version: 18 }];
  const linear = makeFunction({
    name: 'Linear',
    domain,
    input: ['x', 'weight', 'bias'],
    output: ['y'],
    opsetImport: opset18,
    node: [
      makeNode('Transpose', ['weight'], ['wt'], [attr.ints('perm', [1, 0])]),
      makeNode('MatMul', ['x', 'wt'], ['xw']),
      makeNode('Add', ['xw', 'bias'], ['y']),
    ],
  });
  const gelu = makeFunction({
    name: 'GELU',
    domain,
    input: ['x'],
    output: ['y'],
    opsetImport: opset18,
    node: [
      scalar('sqrt2', Math.SQRT2),
      makeNode('Div', ['x', 'sqrt2'], ['u']),
      makeNode('Erf', ['u'], ['e']),
      scalar('one', 1),
      makeNode('Add', ['e', 'one'], ['a']),
      scalar('half', 0.5),
      makeNode('Mul', ['x', 'half'], ['hx']),
      makeNode('Mul', ['hx', 'a'], ['y']),
    ],
  });
  const layerNorm = makeFunction({
    name: 'LayerNorm',
    domain,
    input: ['x', 'weight', 'bias'],
    output: ['y'],
    attribute: ['epsilon'],
    opsetImport: opset18,
    node: [
      makeNode('Constant', [], ['axes'], [attr.tensor('value', int64Tensor('axes', [1], [-1]))]),
      makeNode('ReduceMean', ['x', 'axes'], ['mean']),
      makeNode('Sub', ['x', 'mean'], ['d']),
      scalar('two', 2),
      makeNode('Pow', ['d', 'two'], ['d2']),
      makeNode('ReduceMean', ['d2', 'axes'], ['var']),
      makeNode('Constant', [], ['eps'], [attr.ref('value_float', 'epsilon', AttributeType.FLOAT)]),
      makeNode('Add', ['var', 'eps'], ['ve']),
      makeNode('Sqrt', ['ve'], ['std']),
      makeNode('Div', ['d', 'std'], ['n']),
      makeNode('Mul', ['n', 'weight'], ['nw']),
      makeNode('Add', ['nw', 'bias'], ['y']),
    ],
  });
  const call = (op: string, inputs: string[], output: string, name: string, attrs = []) =>
    makeNode(op, inputs, [output], attrs, { name, domain });
  const node = [
    call('Linear', ['input', w.init('fc1.weight', [6, 4]), w.init('fc1.bias', [6])], 'h1', '/fc1'),
    call('GELU', ['h1'], 'g', '/act'),
    makeNode(
      'LayerNorm',
      ['g', w.init('norm.weight', [6]), w.init('norm.bias', [6])],
      ['n'],
      [attr.float('epsilon', 1e-5)],
      {
        name: '/norm',
        domain,
      },
    ),
    makeNode('Identity', ['n'], ['n_id']),
    call('Linear', ['n_id', w.init('fc2.weight', [2, 6]), w.init('fc2.bias', [2])], 'h2', '/fc2'),
    makeNode('Tanh', ['h2'], ['output'], [], { name: '/out/Tanh' }),
  ];
  const graph = makeGraph({
    name: 'main_graph',
    node,
    input: [tensorValueInfo('input', ['s0', 4])],
    output: [tensorValueInfo('output', ['s0', 2])],
    initializer: w.initializers,
  });
  return {
    name: 'functions_gelu_layernorm_opset18',
    model: makeModel({
      graph,
      opsetImport: [...opset18, { domain, version: 1 }],
      functions: [linear, gelu, layerNorm],
      producerName: 'pytorch',
    }),
    input: w.input([3, 4]),
    ops: ['linear', 'gelu', 'layer_norm', 'linear', 'tanh'],
  };
}

/** Conv, BatchNormalization, AveragePool, Reshape by a constant shape, scaled Gemm, LogSoftmax. */
function cnnBatchNorm(): Fixture {
  const w = new Weights(3);
  const stats = (name: string, lo: number, hi: number) => {
    w.initializers.push(
      floatTensor(
        name,
        [3],
        [0, 1, 2].map(() => w.rng.uniform(lo, hi)),
      ),
    );
    return name;
  };
  const node = [
    makeNode(
      'Conv',
      ['input', w.init('conv.weight', [3, 1, 3, 3]), w.init('conv.bias', [3])],
      ['c'],
      [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1]), attr.ints('strides', [1, 1])],
    ),
    makeNode(
      'BatchNormalization',
      [
        'c',
        stats('bn.weight', 0.5, 1.5),
        stats('bn.bias', -0.5, 0.5),
        stats('bn.mean', -0.2, 0.2),
        stats('bn.var', 0.5, 2),
      ],
      ['b'],
      [attr.float('epsilon', 1e-5), attr.float('momentum', 0.9)],
    ),
    makeNode('Relu', ['b'], ['r']),
    makeNode('AveragePool', ['r'], ['p'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])]),
    makeNode('Constant', [], ['shape'], [attr.tensor('value', int64Tensor('shape', [2], [-1, 27]))]),
    makeNode('Reshape', ['p', 'shape'], ['flat']),
    makeNode(
      'Gemm',
      ['flat', w.init('fc.weight', [27, 4]), w.init('fc.bias', [4])],
      ['logits'],
      [attr.float('alpha', 0.5), attr.float('beta', 2)],
    ),
    makeNode('LogSoftmax', ['logits'], ['output'], [attr.int('axis', -1)]),
  ];
  const graph = makeGraph({
    name: 'cnn',
    node,
    input: [tensorValueInfo('input', [2, 1, 6, 6])],
    output: [tensorValueInfo('output', [2, 4])],
    initializer: w.initializers,
  });
  return {
    name: 'cnn_batchnorm_opset18',
    model: makeModel({ graph, opsetImport: [{ domain: '', version: 18 }] }),
    input: w.input([2, 1, 6, 6]),
    // No built-in dataset has 6×6 images: the input enters flat (CSV) and is reshaped first.
    ops: ['reshape', 'conv2d', 'batch_norm', 'relu', 'avg_pool2d', 'reshape', 'linear', 'log_softmax'],
  };
}

/** Two branches joined by elementwise ops of computed values and Concat; Transpose; Softmax. */
function branches(): Fixture {
  const w = new Weights(4);
  const node = [
    makeNode(
      'Gemm',
      ['input', w.init('a.weight', [5, 4]), w.init('a.bias', [5])],
      ['ga'],
      [attr.int('transB', 1)],
    ),
    makeNode('Sigmoid', ['ga'], ['a']),
    makeNode(
      'Gemm',
      ['input', w.init('b.weight', [5, 4]), w.init('b.bias', [5])],
      ['gb'],
      [attr.int('transB', 1)],
    ),
    makeNode('Tanh', ['gb'], ['b']),
    makeNode('Mul', ['a', 'b'], ['m']),
    makeNode('Sub', ['m', 'a'], ['s']),
    makeNode('Div', ['s', 'a'], ['d']),
    makeNode('Add', ['d', 'b'], ['e']),
    makeNode('Concat', ['e', 'a'], ['cat'], [attr.int('axis', 1)]),
    makeNode('Transpose', ['cat'], ['t'], [attr.ints('perm', [0, 1])]),
    makeNode(
      'Gemm',
      ['t', w.init('head.weight', [3, 10]), w.init('head.bias', [3])],
      ['logits'],
      [attr.int('transB', 1)],
    ),
    makeNode('Softmax', ['logits'], ['output'], [attr.int('axis', 1)]),
  ];
  const graph = makeGraph({
    name: 'branches',
    node,
    input: [tensorValueInfo('input', ['N', 4])],
    output: [tensorValueInfo('output', ['N', 3])],
    initializer: w.initializers,
  });
  return {
    name: 'branches_opset17',
    model: makeModel({ graph, opsetImport: [{ domain: '', version: 17 }] }),
    input: w.input([3, 4]),
    ops: [
      'linear',
      'sigmoid',
      'linear',
      'tanh',
      'mul',
      'sub',
      'div',
      'add',
      'concat',
      'transpose',
      'linear',
      'softmax',
    ],
  };
}

export function fixtures(): Fixture[] {
  return [mlpMatMulAdd(), functionsGeluLayerNorm(), cnnBatchNorm(), branches()];
}
