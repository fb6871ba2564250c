/**
 * Model cards (pure, no I/O): the hand-written part a person edits, the automatic part built from
 * the version's own record, a summary of the training data's profile, and the markdown rendering.
 */
import type { DatasetProfile } from '../data/index.js';
import type {
  Approval,
  DatasetLink,
  ModelFeature,
  ModelFormat,
  ModelSignature,
  ModelVersion,
  TensorSpec,
} from './entities.js';

export interface EvaluationSlice {
  /** e.g. 'all', 'region=eu', 'tenure<12'. */
  readonly slice: string;
  /** The dataset version it was measured on, e.g. 'churn-valid@2'. */
  readonly dataset?: string;
  readonly metrics: Readonly<Record<string, number>>;
}

/** What a person writes; every field optional. */
export interface CardFields {
  readonly description?: string;
  readonly intendedUse?: string;
  readonly limitations?: string;
  readonly ethicalConsiderations?: string;
  readonly evaluation?: readonly EvaluationSlice[];
  /** Free-form markdown appended to the card. */
  readonly markdown?: string;
}

export interface ColumnSummary {
  readonly name: string;
  readonly type: string;
  readonly nullFraction: number;
  readonly distinct: number;
  readonly mean?: number;
  readonly std?: number;
  readonly min?: number;
  readonly max?: number;
  readonly top?: readonly { readonly value: string; readonly count: number }[];
}

export interface TrainingDataSummary {
  readonly dataset: string;
  readonly version: number;
  readonly rowCount: number;
  readonly columns: readonly ColumnSummary[];
}

export interface ModelCard {
  readonly model: string;
  readonly version: number;
  readonly description: string;
  readonly intendedUse: string;
  readonly limitations: string;
  readonly ethicalConsiderations: string;
  readonly evaluation: readonly EvaluationSlice[];
  readonly markdown: string;
  /** Who last edited the hand-written part, and when. */
  readonly updatedBy?: string;
  readonly updatedAt?: string;
  /** Filled from the registry's own record; not editable. */
  readonly automatic: {
    readonly format: ModelFormat;
    readonly digest: string;
    readonly size: number;
    readonly signature: ModelSignature;
    readonly featureNames?: readonly string[];
    readonly features?: readonly ModelFeature[];
    readonly classes?: readonly string[];
    readonly metrics: Readonly<Record<string, number>>;
    readonly lineage: { readonly run?: string; readonly datasets: readonly DatasetLink[] };
    readonly approval: Approval;
    readonly aliases: readonly string[];
    readonly trainingData?: TrainingDataSummary;
    readonly createdBy: string;
    readonly createdAt: string;
  };
}

/** The stored form: the hand-written fields plus who edited them. */
export interface StoredCard extends CardFields {
  readonly updatedBy?: string;
  readonly updatedAt?: string;
}

const MAX_SUMMARY_COLUMNS = 100;
const TOP_CATEGORIES = 3;

export function buildCard(
  version: ModelVersion,
  stored: StoredCard,
  trainingData?: TrainingDataSummary,
): ModelCard {
  return {
    model: version.model,
    version: version.version,
    description: stored.description ?? version.description,
    intendedUse: stored.intendedUse ?? '',
    limitations: stored.limitations ?? '',
    ethicalConsiderations: stored.ethicalConsiderations ?? '',
    evaluation: stored.evaluation ?? [],
    markdown: stored.markdown ?? '',
    ...(stored.updatedBy === undefined ? {} : { updatedBy: stored.updatedBy }),
    ...(stored.updatedAt === undefined ? {} : { updatedAt: stored.updatedAt }),
    automatic: {
      format: version.format,
      digest: version.digest,
      size: version.size,
      signature: version.signature,
      ...(version.featureNames === undefined ? {} : { featureNames: version.featureNames }),
      ...(version.features === undefined ? {} : { features: version.features }),
      ...(version.classes === undefined ? {} : { classes: version.classes }),
      metrics: version.metrics,
      lineage: { ...(version.run === undefined ? {} : { run: version.run }), datasets: version.datasets },
      approval: version.approval,
      aliases: version.aliases,
      ...(trainingData === undefined ? {} : { trainingData }),
      createdBy: version.createdBy,
      createdAt: version.createdAt,
    },
  };
}

export function summariseProfile(
  dataset: string,
  version: number,
  profile: DatasetProfile,
): TrainingDataSummary {
  const rowCount = Number(profile.rowCount ?? 0);
  return {
    dataset,
    version,
    rowCount,
    columns: (profile.columns ?? []).slice(0, MAX_SUMMARY_COLUMNS).map((column) => {
      const count = Number(column.count ?? rowCount);
      const numeric = column.numeric;
      return {
        name: column.name,
        type: column.type,
        nullFraction: count === 0 ? 0 : Number(column.nullCount ?? 0) / count,
        distinct: Number(column.distinct ?? 0),
        ...(numeric === undefined
          ? {}
          : { mean: numeric.mean, std: numeric.std, min: numeric.min, max: numeric.max }),
        ...(column.top === undefined ? {} : { top: column.top.slice(0, TOP_CATEGORIES) }),
      };
    }),
  };
}

export function renderCardMarkdown(card: ModelCard): string {
  const auto = card.automatic;
  const lines: string[] = [`# Model card: ${card.model}@${card.version}`, ''];
  const approval = auto.approval;
  const decided =
    approval.by === undefined
      ? ''
      : ` by ${approval.by}${approval.at === undefined ? '' : ` on ${approval.at}`}`;
  lines.push(
    `- **Approval:** ${approval.status}${decided}${approval.comment === undefined ? '' : ` — ${approval.comment}`}`,
  );
  lines.push(`- **Aliases:** ${auto.aliases.length === 0 ? 'none' : auto.aliases.join(', ')}`);
  lines.push(`- **Format:** ${auto.format}, ${auto.size} bytes, sha256 \`${auto.digest}\``);
  lines.push(`- **Registered:** ${auto.createdAt} by ${auto.createdBy}`, '');

  section(lines, 'Description', card.description);
  section(lines, 'Intended use', card.intendedUse);
  section(lines, 'Limitations', card.limitations);
  section(lines, 'Ethical considerations', card.ethicalConsiderations);

  lines.push('## Evaluation', '');
  if (card.evaluation.length === 0) {
    lines.push('_Not documented yet._', '');
  } else {
    const keys = [...new Set(card.evaluation.flatMap((slice) => Object.keys(slice.metrics)))].sort();
    lines.push(
      ...table(
        ['slice', 'dataset', ...keys],
        card.evaluation.map((slice) => [
          slice.slice,
          slice.dataset ?? '',
          ...keys.map((key) => (slice.metrics[key] === undefined ? '' : String(slice.metrics[key]))),
        ]),
      ),
      '',
    );
  }

  lines.push('## Metrics', '');
  const metrics = Object.entries(auto.metrics).sort(([a], [b]) => a.localeCompare(b));
  if (metrics.length === 0) lines.push('_None recorded._', '');
  else
    lines.push(
      ...table(
        ['metric', 'value'],
        metrics.map(([key, value]) => [key, String(value)]),
      ),
      '',
    );

  lines.push(
    '## Signature',
    '',
    '### Inputs',
    '',
    ...specTable(auto.signature.inputs),
    '',
    '### Outputs',
    '',
  );
  lines.push(...specTable(auto.signature.outputs), '');
  const opsets = auto.signature.opsets.map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`);
  const producer = [auto.signature.producerName, auto.signature.producerVersion]
    .filter((p) => p !== '')
    .join(' ');
  lines.push(
    `Opsets: ${opsets.join(', ')}; IR version ${auto.signature.irVersion}${producer === '' ? '' : `; producer ${producer}`}.`,
  );
  if (auto.features !== undefined) lines.push('', 'Features:', '', ...featureLines(auto.features));
  else if (auto.featureNames !== undefined)
    lines.push('', `Features: ${auto.featureNames.map((f) => `\`${f}\``).join(', ')}`);
  if (auto.classes !== undefined)
    lines.push('', `Classes: ${auto.classes.map((c) => `\`${c}\``).join(', ')}`);
  lines.push('');

  lines.push('## Lineage', '');
  lines.push(`- Run: ${auto.lineage.run === undefined ? 'not recorded' : `\`${auto.lineage.run}\``}`);
  for (const link of auto.lineage.datasets) {
    lines.push(
      `- ${link.role === 'train' ? 'Trained on' : 'Validated on'}: \`${link.dataset}@${link.version}\``,
    );
  }
  if (auto.lineage.datasets.length === 0) lines.push('- Datasets: not recorded');
  lines.push('');

  if (auto.trainingData !== undefined) {
    const data = auto.trainingData;
    lines.push('## Training data', '', `\`${data.dataset}@${data.version}\`: ${data.rowCount} rows.`, '');
    lines.push(
      ...table(
        ['column', 'type', 'nulls', 'distinct', 'mean', 'std', 'min', 'max', 'top values'],
        data.columns.map((c) => [
          c.name,
          c.type,
          `${(c.nullFraction * 100).toFixed(1)}%`,
          String(c.distinct),
          num(c.mean),
          num(c.std),
          num(c.min),
          num(c.max),
          (c.top ?? []).map((t) => `${t.value} (${t.count})`).join(', '),
        ]),
      ),
      '',
    );
  }

  if (card.markdown.trim() !== '') lines.push('## Notes', '', card.markdown.trim(), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function section(lines: string[], title: string, text: string): void {
  lines.push(`## ${title}`, '', text.trim() === '' ? '_Not documented yet._' : text.trim(), '');
}

function specTable(specs: readonly TensorSpec[]): string[] {
  return table(
    ['name', 'type', 'shape'],
    specs.map((spec) => [
      spec.name,
      spec.elementType,
      spec.shape === undefined
        ? ''
        : spec.shape === null
          ? 'unknown'
          : `[${spec.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`,
    ]),
  );
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function num(value: number | undefined): string {
  if (value === undefined || value === null) return '';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** Known categories beyond this many are counted, not listed: a card is read by people. */
const LISTED_CATEGORIES = 20;

function featureLines(features: readonly ModelFeature[]): string[] {
  const lines = ['| feature | type | categories |', '|---|---|---|'];
  for (const feature of features) {
    const categories = feature.categories ?? [];
    const listed = categories
      .slice(0, LISTED_CATEGORIES)
      .map((c) => `\`${c}\``)
      .join(', ');
    const more =
      categories.length > LISTED_CATEGORIES ? ` and ${categories.length - LISTED_CATEGORIES} more` : '';
    lines.push(`| \`${feature.name}\` | ${feature.type} | ${listed}${more} |`);
  }
  return lines;
}
