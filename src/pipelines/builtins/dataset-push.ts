/**
 * `dataset.push` {name, file} -> {dataset}: pushes a local file as a new version of the dataset, its
 * format read from the extension. Identical bytes answer the version that already has them (the
 * service's rule), so re-running the step does not make a new version.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InvalidError } from '../../core/errors.js';
import { withInputErrors } from './input-errors.js';
import { checkInputNames, requiredString } from './inputs.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

const FORMATS: Readonly<Record<string, string>> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

export async function datasetPush(invocation: BuiltinInvocation, deps: BuiltinDeps): Promise<BuiltinOutputs> {
  const { inputs, workDir, log, signal } = invocation;
  checkInputNames('dataset.push', inputs);
  const name = requiredString(inputs, 'name');
  const file = requiredString(inputs, 'file');
  const path = resolve(workDir, file);
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new InvalidError(
      `inputs.file: cannot tell the format of '${file}' from its extension; expected one of ${Object.keys(FORMATS).join(', ')}`,
      { field: 'inputs.file', value: file },
    );
  }
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new InvalidError(
      `inputs.file: ${info === undefined ? 'no file' : 'not a file'} at '${path}' (relative paths resolve against the pipeline's directory)`,
      { field: 'inputs.file', value: file },
    );
  }
  throwIfAborted(signal);
  log(`pushing ${path} (${info.size} bytes, ${format}) as dataset '${name}'`);
  const { version, created } = await withInputErrors(
    () => deps.datasets.push(invocation.ctx, { name, format, run: invocation.run }, createReadStream(path)),
    { 'dataset name': 'name', name: 'name', format: 'file' },
    (error) => (error.code === 'DATA_UNREADABLE' ? 'file' : undefined),
  );
  const reference = `${version.dataset}@${version.version}`;
  log(
    created
      ? `pushed ${reference}: ${version.rowCount} rows, ${version.columns.length} columns`
      : `${reference} already holds these bytes; reusing it`,
  );
  return { dataset: reference };
}
