/** Model metadata in the Open Inference Protocol's shape: tensors with V2 datatypes and -1 for variable dimensions. */
import type { ModelSignature, TensorSpec } from '../../registry/index.js';
import { v2Datatype } from './v2-datatypes.js';

export interface V2TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface V2ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly V2TensorMetadata[];
  readonly outputs: readonly V2TensorMetadata[];
}

export function v2ModelMetadata(
  name: string,
  versions: readonly number[],
  signature: ModelSignature,
): V2ModelMetadata {
  return {
    name,
    versions: versions.map(String),
    platform: 'onnxruntime_onnx',
    inputs: signature.inputs.map(tensorMetadata),
    outputs: signature.outputs.map(tensorMetadata),
  };
}

function tensorMetadata(spec: TensorSpec): V2TensorMetadata {
  return {
    name: spec.name,
    // Non-tensor outputs (a ZipMap's sequence of maps) have no V2 datatype; they are named as ONNX describes them.
    datatype: v2Datatype(spec.elementType) ?? spec.elementType,
    shape: (spec.shape ?? [-1]).map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1)),
  };
}
