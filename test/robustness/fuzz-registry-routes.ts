/**
 * Request arbitraries for the model registry and lineage routes: models created, updated, deleted and
 * restored; versions registered from a run's artifact (JSON) and uploaded (whole, damaged and random
 * ONNX bytes with random query strings); approvals, cards, policies; alias moves, deletes and
 * rollbacks with compare-and-set; run inputs and lineage walks from random nodes.
 */
import fc from 'fast-check';
import {
  damaged,
  datasetReferences,
  queryString,
  queryText,
  type RouteKit,
  randomBytes,
  rarely,
  rawQueryTail,
  runReference,
  updateFields,
  validUpdate,
  versionSegment,
  withQuery,
} from './fuzz-data-inputs.js';
import {
  anyJson,
  anyString,
  encodeSegment,
  type FieldSpec,
  nameLike,
  numberLike,
  segmentLike,
  shortText,
  stringMap,
  validKey,
  validName,
} from './fuzz-inputs.js';
import type { FuzzRequest, Targets } from './fuzz-routes.js';

export function registryRouteGroups(
  targets: Targets,
  kit: RouteKit,
): Readonly<Record<string, fc.Arbitrary<FuzzRequest>>> {
  const { json, common, build } = kit;
  const dataset = targets.datasetName;
  const model = targets.modelName;
  const modelSegment = segmentLike([model]);
  const runSegment = segmentLike([targets.runId]);
  const { any: datasetRef, valid: validDatasetRef } = datasetReferences(dataset);
  const runRef = runReference(targets.runId);

  const metrics = stringMap(numberLike);
  const validMetrics = fc.dictionary(validKey, fc.double({ noNaN: true, noDefaultInfinity: true }), {
    maxKeys: 3,
  });
  const datasetLinks = fc.array(
    fc.record(
      { ref: datasetRef, role: fc.oneof(fc.constantFrom('train', 'validation'), anyString) },
      {
        requiredKeys: [],
      },
    ),
    { maxLength: 4 },
  );
  const validLinks = fc.array(
    fc.record({ ref: validDatasetRef, role: fc.constantFrom('train', 'validation') }),
    { maxLength: 2 },
  );
  const sourceLike = fc.oneof(
    { arbitrary: fc.constant(targets.modelSource), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        `runs/${targets.runId}/artifacts/missing.onnx`,
        `runs/${targets.runId}/artifacts/`,
        `runs/${targets.runId}/artifacts/../model/model.onnx`,
        'runs//artifacts/x',
        `runs/${targets.runId}`,
        `/${targets.modelSource}`,
      ),
      weight: 2,
    },
    { arbitrary: fc.ulid().map((id) => `runs/${id}/artifacts/model/model.onnx`), weight: 1 },
    { arbitrary: anyString, weight: 1 },
  );
  const featureNames = fc.oneof(
    fc.constant(['a', 'b']),
    fc.array(anyString, { maxLength: 4 }),
    fc.constant(Array.from({ length: 3 }, (_, i) => `f${i}`)),
  );
  const features = fc.oneof(
    fc.array(
      fc.record(
        {
          name: fc.oneof(fc.constantFrom('a', 'b', 'x'), anyString),
          type: fc.oneof(fc.constantFrom('numeric', 'categorical'), anyString),
          categories: fc.oneof(fc.array(anyString, { maxLength: 4 }), anyJson),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ),
    anyJson,
  );
  const validFeatures = fc.constant([
    { name: 'a', type: 'numeric' },
    { name: 'b', type: 'categorical', categories: ['low', 'high'] },
  ]);
  const classes = fc.oneof(fc.array(anyString, { maxLength: 4 }), fc.constant(['yes']), anyJson);
  const registerFromSource = json(
    'POST',
    modelSegment.map((s) => `/api/v1/models/${s}/versions`),
    {
      source: sourceLike,
      run: runRef,
      datasets: datasetLinks,
      metrics,
      description: anyString,
      featureNames,
      features,
      classes,
      tags: stringMap(anyString),
    },
    fc.record(
      {
        source: fc.constant(targets.modelSource),
        run: fc.constant(targets.runId),
        datasets: validLinks,
        metrics: validMetrics,
        description: shortText,
        featureNames: fc.constant(['a', 'b']),
        features: validFeatures,
        classes: fc.constant(['0', '1']),
        tags: fc.dictionary(validKey, shortText, { maxKeys: 3 }),
      },
      { requiredKeys: ['source'] },
    ),
  );
  const onnxBody = fc.oneof(
    { arbitrary: fc.constantFrom(...targets.onnx), weight: 5 },
    { arbitrary: damaged(targets.onnx), weight: 4 },
    { arbitrary: randomBytes(targets.artifactLimit), weight: 2 },
  );
  const metricLike = fc.oneof(
    fc.tuple(validKey, fc.double({ noNaN: true, noDefaultInfinity: true })).map(([k, v]) => `${k}=${v}`),
    fc.constantFrom('auc', 'auc=', '=1', 'auc=x', 'auc=NaN', 'auc=Infinity', 'a=1=2', 'auc=1e400'),
    queryText,
  );
  const validUploadQuery = fc.record(
    {
      run: fc.constant(targets.runId),
      dataset: fc.array(validDatasetRef, { minLength: 1, maxLength: 2 }),
      validationDataset: validDatasetRef,
      metric: fc.array(
        fc.tuple(validKey, fc.double({ noNaN: true, noDefaultInfinity: true })).map(([k, v]) => `${k}=${v}`),
        { minLength: 1, maxLength: 2 },
      ),
      featureNames: fc.constant('a,b'),
      description: shortText,
      tag: fc.tuple(validKey, shortText).map(([k, v]) => `${k}=${v}`),
    },
    { requiredKeys: [] },
  );
  const fuzzedUploadQuery = fc.record(
    {
      run: runRef,
      dataset: fc.array(datasetRef, { minLength: 1, maxLength: 2 }),
      validationDataset: fc.array(datasetRef, { minLength: 1, maxLength: 2 }),
      metric: fc.array(metricLike, { minLength: 1, maxLength: 3 }),
      featureNames: fc.oneof(fc.constantFrom('a,b', 'a', 'a,b,c', ',', 'a,a'), queryText),
      description: fc.oneof(shortText, queryText),
      tag: fc.array(
        fc.oneof(
          fc.tuple(validKey, shortText).map(([k, v]) => `${k}=${v}`),
          fc.constantFrom('k', '=v', 'k=', 'k=v=w'),
        ),
        { minLength: 1, maxLength: 2 },
      ),
      unknown: rarely(fc.constant('1')),
    },
    { requiredKeys: [] },
  );
  const upload = fc
    .tuple(
      modelSegment,
      onnxBody,
      fc.oneof(validUploadQuery, fuzzedUploadQuery),
      fc.oneof(
        { arbitrary: fc.constant('application/octet-stream'), weight: 12 },
        {
          arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json', 'application/onnx', ''),
          weight: 2,
        },
      ),
      rawQueryTail,
      common,
    )
    .map(([name, bytes, query, contentType, tail, headers]) =>
      build(
        'POST',
        withQuery(`/api/v1/models/${name}/versions`, queryString(query), tail),
        {
          bytes,
          ...(contentType === undefined ? {} : { contentType }),
          label: `model upload ${bytes.length} bytes`,
        },
        headers,
      ),
    );
  const modelVersionPath = (suffix: string) =>
    fc
      .tuple(modelSegment, versionSegment(['1', '2', 'latest', 'champion']))
      .map(([m, v]) => `/api/v1/models/${m}/versions/${v}${suffix}`);
  const evaluation = fc.array(
    fc.record({ slice: anyString, dataset: fc.oneof(datasetRef, anyString), metrics }, { requiredKeys: [] }),
    { maxLength: 3 },
  );
  const cardFields: FieldSpec = {
    description: anyString,
    intendedUse: anyString,
    limitations: anyString,
    ethicalConsiderations: anyString,
    evaluation,
    markdown: anyString,
  };
  const validCard = fc.record(
    {
      description: shortText,
      intendedUse: shortText,
      limitations: shortText,
      ethicalConsiderations: shortText,
      evaluation: fc.array(
        fc.record(
          { slice: fc.constantFrom('all', 'region=eu'), dataset: validDatasetRef, metrics: validMetrics },
          { requiredKeys: ['slice', 'metrics'] },
        ),
        { maxLength: 2 },
      ),
      markdown: fc.string({ maxLength: 200 }),
    },
    { requiredKeys: [] },
  );
  const aliasName = fc.oneof(
    { arbitrary: fc.constantFrom('champion', 'challenger', 'staging'), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        'latest',
        'Champion',
        '1st',
        'has space',
        'under_score',
        'a'.repeat(65),
        '-x',
      ),
      weight: 1,
    },
    { arbitrary: anyString, weight: 1 },
  );
  const models = fc.oneof(
    {
      arbitrary: json(
        'POST',
        fc.constant('/api/v1/models'),
        { name: nameLike, description: anyString, tags: stringMap(anyString) },
        fc.record(
          {
            name: validName,
            description: shortText,
            tags: fc.dictionary(validKey, shortText, { maxKeys: 3 }),
          },
          { requiredKeys: ['name'] },
        ),
      ),
      weight: 2,
    },
    {
      arbitrary: json(
        'PATCH',
        modelSegment.map((s) => `/api/v1/models/${s}`),
        updateFields,
        validUpdate,
      ),
      weight: 1,
    },
    {
      arbitrary: json(
        'DELETE',
        modelSegment.map((s) => `/api/v1/models/${s}`),
        {},
      ),
      weight: 1,
    },
    {
      arbitrary: json(
        'POST',
        modelSegment.map((s) => `/api/v1/models/${s}/restore`),
        {},
      ),
      weight: 1,
    },
    {
      arbitrary: json(
        'PUT',
        modelSegment.map((s) => `/api/v1/models/${s}/policy`),
        { requireApprovalFor: fc.array(aliasName, { maxLength: 4 }) },
        fc.record({
          requireApprovalFor: fc.subarray(['champion', 'challenger', 'staging']),
        }),
      ),
      weight: 1,
    },
    { arbitrary: registerFromSource, weight: 3 },
    { arbitrary: upload, weight: 5 },
    {
      arbitrary: fc
        .constantFrom('approve', 'reject')
        .chain((verb) =>
          json(
            'POST',
            modelVersionPath(`/${verb}`),
            { comment: anyString },
            fc.oneof(fc.constant(undefined), fc.record({ comment: shortText }, { requiredKeys: [] })),
          ),
        ),
      weight: 2,
    },
    { arbitrary: json('PUT', modelVersionPath('/card'), cardFields, validCard), weight: 2 },
  );

  const aliasPath = (suffix: string) =>
    fc
      .tuple(modelSegment, aliasName.map(encodeSegment))
      .map(([m, a]) => `/api/v1/models/${m}/aliases/${a}${suffix}`);
  const versionLike = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 6 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: numberLike, weight: 2 },
    { arbitrary: anyJson, weight: 1 },
  );
  const validVersion = fc.integer({ min: 1, max: 3 });
  const aliases = fc.oneof(
    {
      arbitrary: json(
        'PUT',
        aliasPath(''),
        { version: versionLike, expectedVersion: versionLike },
        // Mostly unconditional moves, which succeed; compare-and-set ones win now and then.
        fc.oneof(
          { arbitrary: fc.record({ version: validVersion }), weight: 3 },
          {
            arbitrary: fc.record({
              version: validVersion,
              expectedVersion: fc.option(validVersion, { nil: null }),
            }),
            weight: 2,
          },
        ),
      ),
      weight: 5,
    },
    {
      arbitrary: fc
        .tuple(
          aliasPath(''),
          fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 3 },
            { arbitrary: validVersion.map(String), weight: 3 },
            { arbitrary: fc.oneof(numberLike.map(String), queryText), weight: 1 },
          ),
          fc.boolean(),
          common,
        )
        .map(([path, expected, unknown, headers]) =>
          build(
            'DELETE',
            `${path}${queryString({ expectedVersion: expected, ...(unknown ? { other: '1' } : {}) })}`,
            { label: 'delete alias' },
            headers,
          ),
        ),
      weight: 2,
    },
    {
      arbitrary: json(
        'POST',
        aliasPath('/rollback'),
        { expectedVersion: versionLike },
        fc.oneof(fc.constant(undefined), fc.record({ expectedVersion: validVersion }, { requiredKeys: [] })),
      ),
      weight: 3,
    },
  );

  const nodeLike = fc.oneof(
    {
      arbitrary: fc.constantFrom(
        `dataset:${dataset}@1`,
        `dataset:${dataset}@2`,
        `dataset:${dataset}@latest`,
        `model:${model}@1`,
        `model:${model}@champion`,
        `model:${model}@latest`,
        `run:${targets.runId}`,
      ),
      weight: 6,
    },
    {
      arbitrary: fc.constantFrom(
        'dataset:',
        'model:',
        'run:',
        `dataset:${dataset}`,
        `dataset:${dataset}@0`,
        `dataset:${dataset}@champion`,
        `model:${model}@nobody`,
        `model:${model}@99`,
        `run:${targets.runId.toLowerCase()}`,
        'pipeline:x@1',
        `DATASET:${dataset}@1`,
        ':',
        'dataset:a:b@1',
      ),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('dataset', 'model', 'run'), nameLike)
        .map(([k, n]) => `${k}:${n}@1`),
      weight: 1,
    },
    { arbitrary: queryText, weight: 1 },
  );
  const validLineageQuery = fc.record(
    {
      node: nodeLike,
      direction: fc.constantFrom('upstream', 'downstream', 'both'),
      depth: fc.integer({ min: 1, max: 50 }).map(String),
    },
    { requiredKeys: ['node'] },
  );
  const fuzzedLineageQuery = fc.record(
    {
      node: nodeLike,
      direction: fc.oneof(fc.constantFrom('upstream', 'UP', ''), queryText),
      depth: fc.oneof(
        fc.integer({ min: 1, max: 50 }).map(String),
        fc.constantFrom('0', '51', '-1', '1.5', '1e1', '', 'ten', '99999999999999999999'),
      ),
      unknown: rarely(fc.constant('1')),
    },
    { requiredKeys: [] },
  );
  const lineageGet = fc
    .tuple(
      fc.oneof({ arbitrary: validLineageQuery, weight: 3 }, { arbitrary: fuzzedLineageQuery, weight: 1 }),
      rawQueryTail,
      common,
    )
    .map(([query, tail, headers]) =>
      build('GET', withQuery('/api/v1/lineage', queryString(query), tail), { label: 'lineage' }, headers),
    );
  const lineage = fc.oneof(
    {
      arbitrary: json(
        'POST',
        runSegment.map((s) => `/api/v1/runs/${s}/inputs`),
        {
          datasets: fc.oneof(
            { arbitrary: fc.array(datasetRef, { maxLength: 5 }), weight: 8 },
            { arbitrary: fc.constant(Array(101).fill(`${dataset}@1`)), weight: 1 },
          ),
        },
        fc.record({ datasets: fc.array(validDatasetRef, { minLength: 1, maxLength: 3 }) }),
      ),
      weight: 1,
    },
    { arbitrary: lineageGet, weight: 1 },
  );

  return { models, aliases, lineage };
}
