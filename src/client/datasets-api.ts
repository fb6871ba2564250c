/** SDK methods for datasets: one method per REST operation. */

import { extname } from 'node:path';
import type { Page, PageRequest } from '../core/pagination.js';
import type {
  DataFormat,
  Dataset,
  DatasetDiff,
  DatasetProfile,
  DatasetVersion,
  RowsPage,
  SuiteInput,
  ValidationReport,
} from '../data/index.js';
import type { HttpClient } from './http-client.js';
import { splitReference, versionPath } from './references.js';
import { downloadOf, downloadVerified, readVerified, type UploadSource, uploadBody } from './transfer.js';

export type DatasetSource = UploadSource;

export interface PushOptions {
  /** Default: from the path's extension. */
  readonly format?: DataFormat;
  readonly description?: string;
  /** Versions this one was made from (`orders@6`): recorded as lineage. */
  readonly derivedFrom?: readonly string[];
  /** The run that produced this version: recorded as lineage. */
  readonly run?: string;
}

export interface DatasetUpdate {
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string | null>>;
}

export interface DownloadOptions {
  /** 'source' (default): the bytes as pushed; 'parquet': the stored Parquet form. */
  readonly form?: 'source' | 'parquet';
}

export interface DownloadedDataset {
  readonly digest: string;
  readonly size: number;
  /** The local file written. */
  readonly file: string;
}

export class DatasetsApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Pushes a file as a new version: a local path (streamed, never read whole), bytes, or a stream.
   * The format defaults to the path's extension (.csv, .parquet, .jsonl/.ndjson). Pushing bytes the
   * dataset already has returns that version.
   */
  async push(name: string, source: DatasetSource, options: PushOptions = {}): Promise<DatasetVersion> {
    const format = options.format ?? (typeof source === 'string' ? formatOfPath(source) : undefined);
    const response = await this.http.raw('PUT', `${datasetPath(name)}/versions`, {
      ...(await uploadBody(source)),
      query: {
        format: format ?? '',
        description: options.description,
        derivedFrom: options.derivedFrom === undefined ? undefined : options.derivedFrom.join(','),
        run: options.run,
      },
    });
    return (await response.body.json()) as DatasetVersion;
  }

  list(page: PageRequest = {}): Promise<Page<Dataset>> {
    return this.http.request('GET', '/api/v1/datasets', { query: { ...page } });
  }

  get(name: string): Promise<Dataset> {
    return this.http.request('GET', datasetPath(name));
  }

  /** Changes the description or tags (merged; null removes a tag). */
  update(name: string, input: DatasetUpdate): Promise<Dataset> {
    return this.http.request('PATCH', datasetPath(name), { body: input });
  }

  /** The dataset's versions, newest first. */
  versions(name: string, page: PageRequest = {}): Promise<Page<DatasetVersion>> {
    return this.http.request('GET', `${datasetPath(name)}/versions`, { query: { ...page } });
  }

  /** `name@3`, `name@latest` or `name` (the latest). */
  version(reference: string): Promise<DatasetVersion> {
    return this.http.request('GET', versionPath('datasets', reference));
  }

  /** Changes a version's description or tags (merged; null removes a tag). Its data never changes. */
  updateVersion(reference: string, input: DatasetUpdate): Promise<DatasetVersion> {
    return this.http.request('PATCH', versionPath('datasets', reference), { body: input });
  }

  profile(
    reference: string,
  ): Promise<DatasetProfile & { readonly dataset: string; readonly version: number }> {
    return this.http.request('GET', `${versionPath('datasets', reference)}/profile`);
  }

  /** Rows as JSON objects: `limit` 1 to 1000 (default 100) from `offset` (default 0). */
  rows(reference: string, options: { limit?: number; offset?: number } = {}): Promise<RowsPage> {
    return this.http.request('GET', `${versionPath('datasets', reference)}/rows`, { query: { ...options } });
  }

  /** The version's bytes as pushed (or its stored Parquet form) in memory, verified. */
  async bytes(reference: string, options: DownloadOptions = {}): Promise<Buffer> {
    const { digest, stream } = await this.open(reference, options);
    return readVerified(stream, digest, `dataset ${reference}`);
  }

  /** Downloads to a local file atomically: the file appears only complete and verified. */
  async download(
    reference: string,
    destination: string,
    options: DownloadOptions = {},
  ): Promise<DownloadedDataset> {
    const { digest, size, stream } = await this.open(reference, options);
    await downloadVerified(stream, destination, digest, `dataset ${reference}`);
    return { digest, size, file: destination };
  }

  private async open(reference: string, options: DownloadOptions) {
    const response = await this.http.raw('GET', `${versionPath('datasets', reference)}/download`, {
      query: { form: options.form },
    });
    return downloadOf(response);
  }

  /**
   * Compares two versions: `from` is `name@N` (or `name@latest`, or a bare name for the latest);
   * `to` is a version number or `latest` of the same dataset, or a full reference to any dataset.
   */
  diff(from: string, to: string): Promise<DatasetDiff> {
    const { name, selector } = splitReference(from);
    return this.http.request('GET', `/api/v1/datasets/${encodeURIComponent(name)}/diff`, {
      query: { from: selector, to },
    });
  }

  /**
   * Runs a validation suite against `name@N` and stores the report. The suite is an object, or
   * YAML or JSON text (sent as application/yaml).
   */
  async validate(reference: string, suite: SuiteInput | string): Promise<ValidationReport> {
    const path = `${versionPath('datasets', reference)}/validate`;
    if (typeof suite !== 'string') return this.http.request('POST', path, { body: suite });
    const response = await this.http.raw('POST', path, {
      headers: { 'content-type': 'application/yaml', accept: 'application/json' },
      body: suite,
    });
    return (await response.body.json()) as ValidationReport;
  }

  /** The version's stored validation reports, newest first. */
  validations(reference: string, page: PageRequest = {}): Promise<Page<ValidationReport>> {
    return this.http.request('GET', `${versionPath('datasets', reference)}/validations`, {
      query: { ...page },
    });
  }

  validation(reference: string, id: string): Promise<ValidationReport> {
    return this.http.request(
      'GET',
      `${versionPath('datasets', reference)}/validations/${encodeURIComponent(id)}`,
    );
  }
}

function datasetPath(name: string): string {
  return `/api/v1/datasets/${encodeURIComponent(name.trim())}`;
}

const EXTENSIONS: Readonly<Record<string, DataFormat>> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format a file name implies, if any. */
export function formatOfPath(path: string): DataFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}
