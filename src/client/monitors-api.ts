/**
 * SDK methods for monitors: create and change them, evaluate now (and wait for the report), read
 * reports and alert deliveries.
 */
import type { Page, PageRequest } from '../core/pagination.js';
import type {
  CreateMonitorInput,
  Monitor,
  MonitorAlert,
  MonitorInput,
  MonitorReport,
  MonitorReportSummary,
} from '../monitoring/monitors/index.js';
import type { HttpClient } from './http-client.js';

export type { CreateMonitorInput, Monitor, MonitorAlert, MonitorInput, MonitorReport, MonitorReportSummary };

export interface ListMonitorsQuery extends PageRequest {
  readonly deployment?: string;
}

export interface WaitForReportOptions {
  /** Default 250 ms. */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

const monitorPath = (name: string) => `/api/v1/monitors/${encodeURIComponent(name)}`;
/** Fields of a report that may be NaN or ±Infinity (sent as strings). */
const NUMBER_FIELDS = new Set([
  'statistic',
  'pvalue',
  'adjustedPvalue',
  'distance',
  'strength',
  'threshold',
  'pValue',
]);

export class MonitorsApi {
  constructor(private readonly http: HttpClient) {}

  create(input: CreateMonitorInput): Promise<Monitor> {
    return this.http.request('POST', '/api/v1/monitors', { body: { ...input } });
  }

  list(query: ListMonitorsQuery = {}): Promise<Page<Monitor>> {
    return this.http.request('GET', '/api/v1/monitors', { query: { ...query } });
  }

  get(name: string): Promise<Monitor> {
    return this.http.request('GET', monitorPath(name));
  }

  /** Changes the fields given; `null` removes reference, model, schedule, onDrift or webhook. */
  update(name: string, input: MonitorInput): Promise<Monitor> {
    return this.http.request('PATCH', monitorPath(name), { body: { ...input } });
  }

  delete(name: string): Promise<Monitor> {
    return this.http.request('DELETE', monitorPath(name));
  }

  /** Starts an evaluation and answers the running report; `waitForReport` follows it. */
  evaluate(name: string): Promise<MonitorReportSummary> {
    return this.http.request('POST', `${monitorPath(name)}/evaluate`);
  }

  reports(name: string, page: PageRequest = {}): Promise<Page<MonitorReportSummary>> {
    return this.http.request('GET', `${monitorPath(name)}/reports`, { query: { ...page } });
  }

  /** One report (default the latest), with non-finite statistics as numbers. */
  async report(name: string, id = 'latest'): Promise<MonitorReport> {
    const text = await this.http.request<unknown>(
      'GET',
      `${monitorPath(name)}/reports/${encodeURIComponent(id)}`,
    );
    return decodeNumbers(text) as MonitorReport;
  }

  /** Polls a report until it has finished (succeeded or failed). */
  async waitForReport(name: string, id: string, options: WaitForReportOptions = {}): Promise<MonitorReport> {
    for (;;) {
      const report = await this.report(name, id);
      if (report.status !== 'running') return report;
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }

  alerts(name: string, page: PageRequest = {}): Promise<Page<MonitorAlert>> {
    return this.http.request('GET', `${monitorPath(name)}/alerts`, { query: { ...page } });
  }
}

function decodeNumbers(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => decodeNumbers(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNumbers(v, k)]));
  }
  if (typeof value === 'string' && key !== undefined && NUMBER_FIELDS.has(key)) {
    if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  }
  return value;
}
