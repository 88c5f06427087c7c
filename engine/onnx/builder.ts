/**
 * Constructors for ONNX messages with every repeated field filled in, so that export (and the
 * tests' hand-built models) read as the graph they describe rather than as protobuf plumbing.
 */
import {
  AttributeProto,
  AttributeType,
  DataType,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  TensorProto,
  ValueInfoProto,
} from './onnx-proto.js';
import { utf8Encode } from './protobuf.js';

function emptyAttribute(name: string, type: number): AttributeProto {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [] };
}

/** Typed attribute constructors (ONNX distinguishes 1 from 1.0, so the caller says which). */
export const attr = {
  int: (name: string, i: number): AttributeProto => ({ ...emptyAttribute(name, AttributeType.INT), i }),
  float: (name: string, f: number): AttributeProto => ({ ...emptyAttribute(name, AttributeType.FLOAT), f }),
  ints: (name: string, ints: readonly number[]): AttributeProto => ({
    ...emptyAttribute(name, AttributeType.INTS),
    ints: ints.slice(),
  }),
  floats: (name: string, floats: readonly number[]): AttributeProto => ({
    ...emptyAttribute(name, AttributeType.FLOATS),
    floats: floats.slice(),
  }),
  string: (name: string, s: string): AttributeProto => ({
    ...emptyAttribute(name, AttributeType.STRING),
    s: utf8Encode(s),
  }),
  tensor: (name: string, t: TensorProto): AttributeProto => ({
    ...emptyAttribute(name, AttributeType.TENSOR),
    t,
  }),
  /** A reference to an attribute of the enclosing function (inside FunctionProto bodies). */
  ref: (name: string, refAttrName: string, type: number): AttributeProto => ({
    ...emptyAttribute(name, type),
    refAttrName,
  }),
};

export function makeNode(
  opType: string,
  input: readonly string[],
  output: readonly string[],
  attribute: readonly AttributeProto[] = [],
  opts: { name?: string; domain?: string } = {},
): NodeProto {
  return {
    opType,
    input: input.slice(),
    output: output.slice(),
    attribute: attribute.slice(),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
  };
}

/** A tensor-typed graph input or output; string dims are symbolic (e.g. 'N' for the batch). */
export function tensorValueInfo(
  name: string,
  dims: readonly (number | string)[],
  elemType: number = DataType.FLOAT,
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function makeGraph(g: {
  name: string;
  node: readonly NodeProto[];
  input: readonly ValueInfoProto[];
  output: readonly ValueInfoProto[];
  initializer?: readonly TensorProto[];
}): GraphProto {
  return {
    name: g.name,
    node: g.node.slice(),
    input: g.input.slice(),
    output: g.output.slice(),
    initializer: (g.initializer ?? []).slice(),
    valueInfo: [],
  };
}

export function makeFunction(f: {
  name: string;
  domain: string;
  input: readonly string[];
  output: readonly string[];
  node: readonly NodeProto[];
  opsetImport: readonly OperatorSetIdProto[];
  attribute?: readonly string[];
}): FunctionProto {
  return {
    name: f.name,
    domain: f.domain,
    input: f.input.slice(),
    output: f.output.slice(),
    node: f.node.slice(),
    opsetImport: f.opsetImport.slice(),
    attribute: (f.attribute ?? []).slice(),
    attributeProto: [],
    valueInfo: [],
  };
}

/** IR version 8 is what opset 17 and 18 exporters write (onnxruntime reads 3..10). */
export const IR_VERSION = 8;

export function makeModel(m: {
  graph: GraphProto;
  opsetImport: readonly OperatorSetIdProto[];
  functions?: readonly FunctionProto[];
  producerName?: string;
  producerVersion?: string;
}): ModelProto {
  return {
    irVersion: IR_VERSION,
    opsetImport: m.opsetImport.slice(),
    producerName: m.producerName ?? 'backprop-studio',
    ...(m.producerVersion !== undefined ? { producerVersion: m.producerVersion } : {}),
    graph: m.graph,
    metadataProps: [],
    functions: (m.functions ?? []).slice(),
  };
}
