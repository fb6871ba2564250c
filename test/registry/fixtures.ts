/** Test data for the registry suites: ONNX models built with onnx-proto, and dataset pushes over HTTP. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

type Dim = number | string | null;

const dims = (shape: readonly Dim[]) => ({
  dim: shape.map((dim) =>
    dim === null ? {} : typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim },
  ),
});

/**
 * A small scoring model: `features` float32[N, width] and `segment` int64[N, ?] in, `score`
 * float32[N, 1] and `label` int64[N] out. The weight `W` is listed among the graph inputs too
 * (older exporters do this), so the signature must leave it out. `seed` changes the bytes.
 */
export function scoringModel(width = 3, seed = 1): Uint8Array {
  const weights = Array.from({ length: width }, (_, i) => (i + 1) * seed * 0.1);
  const graph = onnx.GraphProto.create({
    name: 'scoring',
    initializer: [
      onnx.TensorProto.create({ name: 'W', dataType: FLOAT, dims: [width, 1], floatData: weights }),
    ],
    node: [
      onnx.NodeProto.create({
        opType: 'MatMul',
        input: ['features', 'W'],
        output: ['score'],
        name: 'matmul',
      }),
      onnx.NodeProto.create({ opType: 'ReduceMax', input: ['segment'], output: ['label'], name: 'reduce' }),
    ],
    input: [
      onnx.ValueInfoProto.create({
        name: 'features',
        type: { tensorType: { elemType: FLOAT, shape: dims(['N', width]) } },
      }),
      onnx.ValueInfoProto.create({
        name: 'segment',
        type: { tensorType: { elemType: INT64, shape: dims(['N', null]) } },
      }),
      onnx.ValueInfoProto.create({
        name: 'W',
        type: { tensorType: { elemType: FLOAT, shape: dims([width, 1]) } },
      }),
    ],
    output: [
      onnx.ValueInfoProto.create({
        name: 'score',
        type: { tensorType: { elemType: FLOAT, shape: dims(['N', 1]) } },
      }),
      onnx.ValueInfoProto.create({
        name: 'label',
        type: { tensorType: { elemType: INT64, shape: dims(['N']) } },
      }),
    ],
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'slipway-tests',
      producerVersion: '1.0',
      opsetImport: [
        { domain: '', version: 17 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      metadataProps: [{ key: 'owner', value: 'risk-team' }],
      graph,
    }),
  ).finish();
}

/** A one-input tabular model [N, width] -> [N, 1]. */
export function tabularModel(width: number, seed = 1): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'tabular',
    initializer: [
      onnx.TensorProto.create({
        name: 'W',
        dataType: FLOAT,
        dims: [width, 1],
        floatData: Array.from({ length: width }, () => seed),
      }),
    ],
    node: [onnx.NodeProto.create({ opType: 'MatMul', input: ['x', 'W'], output: ['y'] })],
    input: [
      onnx.ValueInfoProto.create({
        name: 'x',
        type: { tensorType: { elemType: FLOAT, shape: dims(['batch', width]) } },
      }),
    ],
    output: [
      onnx.ValueInfoProto.create({
        name: 'y',
        type: { tensorType: { elemType: FLOAT, shape: dims(['batch', 1]) } },
      }),
    ],
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'tests',
      opsetImport: [{ domain: '', version: 13 }],
      graph,
    }),
  ).finish();
}

/** Pushes CSV text as a dataset version over HTTP (as `slipway datasets push` does); returns the version. */
export async function pushDataset(t: TestServer, name: string, csv: string): Promise<number> {
  const response = await t.fetch(`/api/v1/datasets/${name}/versions?format=csv`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: csv,
  });
  const body = (await response.json()) as { version: number };
  expect(response.status, JSON.stringify(body)).toBeLessThan(300);
  return body.version;
}

export function csv(rows: number, shift = 0): string {
  const lines = ['age,plan,churned'];
  for (let i = 0; i < rows; i++)
    lines.push(`${20 + ((i + shift) % 50)},${['basic', 'pro', 'team'][i % 3]},${i % 2}`);
  return `${lines.join('\n')}\n`;
}

/** Every blob digest in the server's store. */
export async function blobDigests(t: TestServer): Promise<Set<string>> {
  const digests = new Set<string>();
  for await (const blob of t.server.platform.blobs.list()) digests.add(blob.digest);
  return digests;
}

/** Upload spool files left behind (must be none once a request has finished). */
export async function spoolFiles(t: TestServer): Promise<string[]> {
  return readdir(join(t.home, 'tmp', 'models')).catch(() => []);
}

/** A raw upload over HTTP: the ONNX file as the body, metadata in the query. */
export function upload(
  t: TestServer,
  name: string,
  bytes: Uint8Array,
  query = '',
  token?: string,
): Promise<Response> {
  return t.fetch(`/api/v1/models/${name}/versions${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from(bytes),
    ...(token === undefined ? {} : { token }),
  });
}
