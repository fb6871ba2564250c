/**
 * Small builders for ONNX node attributes (onnx-proto), so the exporter reads as a list of named values.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const Type = onnx.AttributeProto.AttributeType;
const encoder = new TextEncoder();

export type Attribute = ReturnType<typeof onnx.AttributeProto.create>;

export const attribute = {
  int: (name: string, i: number): Attribute => onnx.AttributeProto.create({ name, type: Type.INT, i }),
  float: (name: string, f: number): Attribute => onnx.AttributeProto.create({ name, type: Type.FLOAT, f }),
  string: (name: string, s: string): Attribute =>
    onnx.AttributeProto.create({ name, type: Type.STRING, s: encoder.encode(s) }),
  ints: (name: string, ints: readonly number[]): Attribute =>
    onnx.AttributeProto.create({ name, type: Type.INTS, ints: [...ints] }),
  floats: (name: string, floats: readonly number[]): Attribute =>
    onnx.AttributeProto.create({ name, type: Type.FLOATS, floats: [...floats] }),
  strings: (name: string, strings: readonly string[]): Attribute =>
    onnx.AttributeProto.create({ name, type: Type.STRINGS, strings: strings.map((s) => encoder.encode(s)) }),
};
