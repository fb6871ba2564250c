/** How `slipway monitors` prints monitors and reports. */
import {
  formatDuration as formatMs,
  formatWindow,
  type Monitor,
  type MonitorReport,
  type MonitorReportSummary,
} from '../monitoring/index.js';
import { driftTable, textHistogram } from './drift-format.js';
import { fieldBlock, formatNumber, formatTime } from './format.js';

export const MONITOR_HEADERS = [
  'NAME',
  'DEPLOYMENT',
  'REFERENCE',
  'WINDOW',
  'SCHEDULE',
  'ON DRIFT',
  'LAST REPORT',
];
export const REPORT_HEADERS = ['ID', 'AT', 'CAUSE', 'STATUS', 'ROWS', 'DRIFT', 'SHARE'];

export function monitorRow(m: Monitor): string[] {
  return [
    m.name,
    m.deployment,
    m.reference ?? 'training data',
    formatWindow(m.window),
    m.schedule?.cron ?? '-',
    m.onDrift === undefined ? (m.webhook === undefined ? '-' : 'webhook') : `pipeline:${m.onDrift.pipeline}`,
    m.lastReport === undefined ? '-' : formatTime(m.lastReport.at),
  ];
}

export function reportRow(r: MonitorReportSummary): string[] {
  return [
    r.id,
    formatTime(r.createdAt),
    r.cause,
    r.status,
    r.rows === undefined ? '-' : String(r.rows),
    r.drift === undefined ? '-' : r.drift ? 'yes' : 'no',
    r.share === undefined ? '-' : r.share.toFixed(2),
  ];
}

export function formatMonitor(m: Monitor): string {
  return fieldBlock(`Monitor ${m.name}`, [
    ['deployment', m.deployment],
    ['description', m.description || '-'],
    ['reference', m.reference ?? 'the training data of the champion route’s model version (from lineage)'],
    ['model', m.model ?? 'every version the deployment serves'],
    ['window', formatWindow(m.window)],
    ['features', m.features?.join(', ') ?? 'the model’s features'],
    ['tests', m.tests?.join(', ') ?? 'default per feature'],
    [
      'overrides',
      Object.entries(m.overrides)
        .map(([column, o]) => `${column}=${o.test}${o.threshold === undefined ? '' : `:${o.threshold}`}`)
        .join(', ') || '-',
    ],
    ['drift rule', `share of drifted features ≥ ${m.driftShare}, correction ${m.correction}, ${m.bins} bins`],
    ['predictions', m.predictionDrift ? 'compared' : 'not compared'],
    [
      'degradation',
      m.degradation === undefined
        ? '-'
        : `${m.degradation.metric} ${['rmse', 'mae', 'logLoss'].includes(m.degradation.metric) ? 'above' : 'below'} ${m.degradation.threshold} on at least ${m.degradation.minSamples} labelled rows`,
    ],
    [
      'schedule',
      m.schedule === undefined
        ? '-'
        : `${m.schedule.cron} (${m.schedule.timezone})${m.schedule.nextAt === undefined ? '' : `, next ${formatTime(m.schedule.nextAt)}`}`,
    ],
    [
      'on drift',
      m.onDrift === undefined
        ? '-'
        : `pipeline:${m.onDrift.pipeline}${paramsText(m.onDrift.params)}, cooldown ${formatMs(m.onDrift.cooldownMs)}${m.onDrift.lastTriggeredAt === undefined ? '' : `, last ${formatTime(m.onDrift.lastTriggeredAt)}`}`,
    ],
    ['webhook', m.webhook ?? '-'],
    ['last report', m.lastReport === undefined ? '-' : `${m.lastReport.id} (${formatTime(m.lastReport.at)})`],
  ]);
}

function paramsText(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(params);
  return entries.length === 0
    ? ''
    : ` ${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`;
}

/** The report as text: verdict, features sorted by drift, prediction drift, data quality, histograms. */
export function formatReport(r: MonitorReport, top: number): string {
  const head = `report ${r.id} of monitor ${r.monitor}: ${r.status} (${r.cause}, ${formatTime(r.createdAt)})`;
  if (
    r.status !== 'succeeded' ||
    r.inputs === undefined ||
    r.window === undefined ||
    r.reference === undefined
  ) {
    return r.status === 'running' ? `${head}\nstill running: run the command again in a moment` : head;
  }
  const lines = [head];
  const served = (r.versions ?? []).map((v) => `${v.model}@${v.version} ${v.rows}`).join(', ');
  lines.push(
    `window:    ${r.window.rows} rows of deployment ${r.deployment} (${formatTime(r.window.from)} → ${formatTime(r.window.to)}; ${served})`,
    `reference: ${r.reference.dataset} (${r.reference.rows} rows, ${r.reference.source === 'lineage' ? `the training data of ${r.reference.model}` : 'given'})`,
    '',
    `input drift: ${r.inputDrift ? 'yes' : 'no'} (${r.inputs.driftedColumns} of ${r.inputs.totalColumns} features drifted, share ${r.inputs.share.toFixed(2)}, drift at ≥ ${r.inputs.driftShare})`,
  );
  lines.push(
    driftTable(r.inputs.columns, [
      'FEATURE',
      'TYPE',
      'TEST',
      'STATISTIC',
      'P-VALUE/DISTANCE',
      'THRESHOLD',
      'DRIFT',
    ]),
  );
  const mmd = r.inputs.multivariate;
  if (mmd !== undefined) {
    lines.push(`multivariate mmd: p-value ${formatNumber(mmd.pvalue)}, drift ${mmd.drifted ? 'yes' : 'no'}`);
  }
  for (const s of r.inputs.skipped) lines.push(`skipped: ${s.column} (${s.reason})`);
  for (const i of r.inputs.ignored) lines.push(`ignored: ${i.column} (${i.reason})`);
  lines.push('', `prediction drift: ${r.predictionDrift ? 'yes' : 'no'}`);
  for (const p of r.predictions ?? []) {
    const name = `${p.model}@${p.version} (${p.rows} rows)`;
    if (p.report === undefined) {
      lines.push(`  ${name}: not compared, ${p.skipped ?? 'no reference answers'}`);
      continue;
    }
    const tests = p.report.columns
      .map(
        (c) =>
          `${c.column} ${c.test} ${formatNumber(c.pvalue ?? c.distance ?? c.statistic)}${c.drifted ? ' drifted' : ''}`,
      )
      .join('; ');
    lines.push(`  ${name}: ${p.report.datasetDrift ? 'drift' : 'no drift'} (${tests})`);
  }
  if (r.performance !== undefined) {
    const p = r.performance;
    lines.push(
      '',
      `performance: ${r.degraded ? 'degraded' : 'ok'} (${p.metric} ${p.alertWhen} ${p.threshold} alerts, on at least ${p.minSamples} labelled rows)`,
    );
    for (const v of p.versions) {
      lines.push(
        `  ${v.model}@${v.version}: ${v.value === undefined ? `not judged (${v.samples} labelled)` : `${p.metric} ${formatNumber(v.value)} on ${v.samples} labelled${v.degraded ? ', degraded' : ''}`}`,
      );
    }
  }
  const issues = (r.quality?.columns ?? []).filter((c) => c.issues.length > 0);
  lines.push(
    '',
    `data quality: ${issues.length === 0 ? 'no issues' : `${issues.length} feature(s) with issues`}`,
  );
  for (const c of issues) for (const issue of c.issues) lines.push(`  ${c.column}: ${issue}`);
  for (const column of r.inputs.columns.slice(0, top)) {
    const test = column.tests.find((t) => t.test === column.test);
    const value =
      test?.pvalue !== undefined ? `p ${formatNumber(test.pvalue)}` : formatNumber(column.statistic);
    lines.push('', `${column.column} (${column.test} ${value}${column.drifted ? ', drifted' : ''})`);
    lines.push(textHistogram(column.histogram));
  }
  return lines.join('\n');
}
