/**
 * `dataset.validate` {dataset, expectations?} -> {passed, report}: runs a validation suite against a
 * dataset version through the validation service (which stores the report). Any failed expectation
 * fails the step with VALIDATION_FAILED listing them; on success the outputs are `passed: true` and
 * the report without the echo of the suite.
 *
 * `expectations` is a suite object (`{name?, expectations: […]}`), the list of expectations alone, or
 * the path of a YAML/JSON suite file (relative to the pipeline's directory). Datasets keep no suite of
 * their own, so leaving it out is an error rather than a check of nothing.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidError } from '../../core/errors.js';
import type { ExpectationResult, ValidationReport } from '../../data/index.js';
// The data face exports SuiteInput but not the parser the HTTP route uses.
import { parseSuite, parseSuiteText, type Suite } from '../../data/validation/suite.js';
import type { JsonValue } from '../definition/index.js';
import { withInputErrors } from './input-errors.js';
import { checkInputNames, optionalJson, requiredReference, wrongType } from './inputs.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';
import { ValidationFailedError } from './validation-failed-error.js';

/** Failed expectations named in the error message; the rest are counted. */
const LISTED_FAILURES = 10;
/** Offending rows kept per failed expectation in the error's details. */
const KEPT_EXAMPLES = 3;

export async function datasetValidate(
  invocation: BuiltinInvocation,
  deps: BuiltinDeps,
): Promise<BuiltinOutputs> {
  const { inputs, log, signal } = invocation;
  checkInputNames('dataset.validate', inputs);
  const dataset = requiredReference(inputs, 'dataset', 'dataset');
  const suite = await withInputErrors(
    () => suiteOf(optionalJson(inputs, 'expectations'), invocation.workDir),
    { expectations: 'expectations', suite: 'expectations', name: 'expectations.name' },
  );
  throwIfAborted(signal);
  log(`validating ${dataset} against ${suite.expectations.length} expectation(s)`);
  const report = await withInputErrors(
    () => deps.datasets.validation.validate(invocation.ctx, dataset, suite),
    { dataset: 'dataset', expectations: 'expectations' },
    (error) => (error.code.startsWith('DATASET_') ? 'dataset' : undefined),
  );
  const reference = `${report.dataset}@${report.version}`;
  const { counts } = report;
  if (!report.success) {
    const failed = report.results.filter((result) => !result.success);
    log(`${reference}: ${counts.failed} of ${counts.expectations} expectations failed (report ${report.id})`);
    const listed = failed.slice(0, LISTED_FAILURES).map(describeFailure);
    const more = failed.length > LISTED_FAILURES ? `; and ${failed.length - LISTED_FAILURES} more` : '';
    throw new ValidationFailedError(
      `${reference} failed ${counts.failed} of ${counts.expectations} expectations: ${listed.join('; ')}${more}`,
      {
        dataset: reference,
        report: report.id,
        failed: failed.map((result) =>
          result.examples === undefined
            ? result
            : { ...result, examples: result.examples.slice(0, KEPT_EXAMPLES) },
        ),
      },
    );
  }
  log(
    `${reference}: all ${counts.expectations} expectations passed over ${report.rowCount} rows (report ${report.id})`,
  );
  return { passed: true, report: reportOutput(report) };
}

async function suiteOf(value: JsonValue | undefined, workDir: string): Promise<Suite> {
  if (value === undefined) {
    throw new InvalidError(
      'inputs.expectations is required: datasets keep no suite of their own; give a suite object, a list of expectations, or a suite file',
      { field: 'inputs.expectations' },
    );
  }
  if (Array.isArray(value)) return parseSuite({ expectations: value });
  if (typeof value === 'object' && value !== null) return parseSuite(value);
  if (typeof value === 'string') {
    const path = resolve(workDir, value);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new InvalidError(
        `inputs.expectations: cannot read the suite file '${path}': ${error.code ?? error.message}`,
        {
          field: 'inputs.expectations',
          value,
        },
      );
    });
    return parseSuiteText(text);
  }
  throw wrongType('expectations', 'a suite object, a list of expectations or a suite file path', value);
}

function describeFailure(result: ExpectationResult): string {
  const what = `[${result.index}] ${result.type}${result.column === undefined ? '' : `(${result.column})`}`;
  return `${what}: ${result.message ?? `observed ${JSON.stringify(result.observed)}`}`;
}

/** The report as an output: everything but the suite, which the pipeline already holds. */
function reportOutput(report: ValidationReport): JsonValue {
  const { suite: _suite, ...rest } = report;
  return JSON.parse(JSON.stringify(rest)) as JsonValue;
}
