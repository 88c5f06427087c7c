/**
 * The subset of ONNX's protobuf messages (onnx/onnx.proto, IR version 8+) that import and export
 * use, as TypeScript interfaces with their wire schemas. Property names are the proto field
 * names in camelCase (the ONNX JSON mapping); field numbers follow onnx.proto exactly.
 * Fields this project never reads (sparse tensors, training info, quantisation annotations) are
 * left out and skipped on decode.
 */
import { MessageSchema, decodeMessage, encodeMessage } from './protobuf.js';

/** TensorProto.DataType values used here (the full enum has more). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** AttributeProto.AttributeType. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface OperatorSetIdProto {
  /** '' or absent is the default ONNX domain ('ai.onnx'). */
  domain?: string;
  version?: number;
}

export interface TensorProto {
  dims: number[];
  dataType?: number;
  floatData: number[];
  int32Data: number[];
  stringData: Uint8Array[];
  int64Data: number[];
  name?: string;
  docString?: string;
  /** Little-endian fixed-width elements; the usual home of weights. */
  rawData?: Uint8Array;
  externalData: StringStringEntryProto[];
  dataLocation?: number;
  doubleData: number[];
  uint64Data: number[];
}

export interface AttributeProto {
  name?: string;
  refAttrName?: string;
  docString?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
}

export interface DimensionProto {
  dimValue?: number;
  dimParam?: string;
  denotation?: string;
}

export interface TensorShapeProto {
  dim: DimensionProto[];
}

export interface TypeProtoTensor {
  elemType?: number;
  shape?: TensorShapeProto;
}

export interface TypeProto {
  tensorType?: TypeProtoTensor;
  denotation?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  docString?: string;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  overload?: string;
  attribute: AttributeProto[];
  docString?: string;
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  docString?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
}

/** A model-local function (PyTorch's newer exporter emits one per decomposed module). */
export interface FunctionProto {
  name?: string;
  input: string[];
  output: string[];
  /** Attribute names without defaults. */
  attribute: string[];
  /** Attributes with defaults. */
  attributeProto: AttributeProto[];
  node: NodeProto[];
  docString?: string;
  opsetImport: OperatorSetIdProto[];
  domain?: string;
  overload?: string;
  valueInfo: ValueInfoProto[];
}

export interface ModelProto {
  irVersion?: number;
  opsetImport: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: GraphProto;
  metadataProps: StringStringEntryProto[];
  functions: FunctionProto[];
}

const stringStringEntrySchema: MessageSchema<StringStringEntryProto> = {
  key: { no: 1, type: 'string' },
  value: { no: 2, type: 'string' },
};

const operatorSetIdSchema: MessageSchema<OperatorSetIdProto> = {
  domain: { no: 1, type: 'string' },
  version: { no: 2, type: 'int64' },
};

const tensorSchema: MessageSchema<TensorProto> = {
  dims: { no: 1, type: 'int64', repeated: true },
  dataType: { no: 2, type: 'int32' },
  floatData: { no: 4, type: 'float', repeated: true, packed: true },
  int32Data: { no: 5, type: 'int32', repeated: true, packed: true },
  stringData: { no: 6, type: 'bytes', repeated: true },
  int64Data: { no: 7, type: 'int64', repeated: true, packed: true },
  name: { no: 8, type: 'string' },
  rawData: { no: 9, type: 'bytes' },
  doubleData: { no: 10, type: 'double', repeated: true, packed: true },
  uint64Data: { no: 11, type: 'uint64', repeated: true, packed: true },
  docString: { no: 12, type: 'string' },
  externalData: { no: 13, type: 'message', repeated: true, schema: () => stringStringEntrySchema },
  dataLocation: { no: 14, type: 'int32' },
};

const attributeSchema: MessageSchema<AttributeProto> = {
  name: { no: 1, type: 'string' },
  f: { no: 2, type: 'float' },
  i: { no: 3, type: 'int64' },
  s: { no: 4, type: 'bytes' },
  t: { no: 5, type: 'message', schema: () => tensorSchema },
  g: { no: 6, type: 'message', schema: () => graphSchema },
  floats: { no: 7, type: 'float', repeated: true },
  ints: { no: 8, type: 'int64', repeated: true },
  strings: { no: 9, type: 'bytes', repeated: true },
  tensors: { no: 10, type: 'message', repeated: true, schema: () => tensorSchema },
  graphs: { no: 11, type: 'message', repeated: true, schema: () => graphSchema },
  docString: { no: 13, type: 'string' },
  type: { no: 20, type: 'int32' },
  refAttrName: { no: 21, type: 'string' },
};

const dimensionSchema: MessageSchema<DimensionProto> = {
  dimValue: { no: 1, type: 'int64' },
  dimParam: { no: 2, type: 'string' },
  denotation: { no: 3, type: 'string' },
};

const tensorShapeSchema: MessageSchema<TensorShapeProto> = {
  dim: { no: 1, type: 'message', repeated: true, schema: () => dimensionSchema },
};

const typeTensorSchema: MessageSchema<TypeProtoTensor> = {
  elemType: { no: 1, type: 'int32' },
  shape: { no: 2, type: 'message', schema: () => tensorShapeSchema },
};

const typeSchema: MessageSchema<TypeProto> = {
  tensorType: { no: 1, type: 'message', schema: () => typeTensorSchema },
  denotation: { no: 6, type: 'string' },
};

const valueInfoSchema: MessageSchema<ValueInfoProto> = {
  name: { no: 1, type: 'string' },
  type: { no: 2, type: 'message', schema: () => typeSchema },
  docString: { no: 3, type: 'string' },
};

const nodeSchema: MessageSchema<NodeProto> = {
  input: { no: 1, type: 'string', repeated: true },
  output: { no: 2, type: 'string', repeated: true },
  name: { no: 3, type: 'string' },
  opType: { no: 4, type: 'string' },
  attribute: { no: 5, type: 'message', repeated: true, schema: () => attributeSchema },
  docString: { no: 6, type: 'string' },
  domain: { no: 7, type: 'string' },
  overload: { no: 8, type: 'string' },
};

const graphSchema: MessageSchema<GraphProto> = {
  node: { no: 1, type: 'message', repeated: true, schema: () => nodeSchema },
  name: { no: 2, type: 'string' },
  initializer: { no: 5, type: 'message', repeated: true, schema: () => tensorSchema },
  docString: { no: 10, type: 'string' },
  input: { no: 11, type: 'message', repeated: true, schema: () => valueInfoSchema },
  output: { no: 12, type: 'message', repeated: true, schema: () => valueInfoSchema },
  valueInfo: { no: 13, type: 'message', repeated: true, schema: () => valueInfoSchema },
};

const functionSchema: MessageSchema<FunctionProto> = {
  name: { no: 1, type: 'string' },
  input: { no: 4, type: 'string', repeated: true },
  output: { no: 5, type: 'string', repeated: true },
  attribute: { no: 6, type: 'string', repeated: true },
  node: { no: 7, type: 'message', repeated: true, schema: () => nodeSchema },
  docString: { no: 8, type: 'string' },
  opsetImport: { no: 9, type: 'message', repeated: true, schema: () => operatorSetIdSchema },
  domain: { no: 10, type: 'string' },
  attributeProto: { no: 11, type: 'message', repeated: true, schema: () => attributeSchema },
  valueInfo: { no: 12, type: 'message', repeated: true, schema: () => valueInfoSchema },
  overload: { no: 13, type: 'string' },
};

const modelSchema: MessageSchema<ModelProto> = {
  irVersion: { no: 1, type: 'int64' },
  producerName: { no: 2, type: 'string' },
  producerVersion: { no: 3, type: 'string' },
  domain: { no: 4, type: 'string' },
  modelVersion: { no: 5, type: 'int64' },
  docString: { no: 6, type: 'string' },
  graph: { no: 7, type: 'message', schema: () => graphSchema },
  opsetImport: { no: 8, type: 'message', repeated: true, schema: () => operatorSetIdSchema },
  metadataProps: { no: 14, type: 'message', repeated: true, schema: () => stringStringEntrySchema },
  functions: { no: 25, type: 'message', repeated: true, schema: () => functionSchema },
};

export function decodeModel(bytes: Uint8Array): ModelProto {
  return decodeMessage(modelSchema, bytes, 'ModelProto');
}

export function encodeModel(model: ModelProto): Uint8Array {
  return encodeMessage(modelSchema, model);
}

export function decodeTensor(bytes: Uint8Array): TensorProto {
  return decodeMessage(tensorSchema, bytes, 'TensorProto');
}

export function encodeTensor(tensor: TensorProto): Uint8Array {
  return encodeMessage(tensorSchema, tensor);
}
