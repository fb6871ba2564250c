/** Model cards (JSON and markdown, hand-written and automatic parts) and versions linked to datasets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidError, type ModelCard } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { csv, pushDataset, scoringModel, tabularModel } from './fixtures.js';

describe.each(BACKENDS)('model cards on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
    await t.sw.models.register('carded', {
      file: Buffer.from(scoringModel(3, 1)),
      metrics: { auc: 0.91 },
      featureNames: ['age', 'tenure', 'spend'],
      description: 'gradient-free baseline',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts with the automatic part filled and the hand-written part empty', async () => {
    const card = await t.sw.models.card('carded@1');
    expect(card).toMatchObject({
      model: 'carded',
      version: 1,
      description: 'gradient-free baseline',
      intendedUse: '',
      limitations: '',
      ethicalConsiderations: '',
      evaluation: [],
      markdown: '',
      automatic: {
        format: 'onnx',
        metrics: { auc: 0.91 },
        featureNames: ['age', 'tenure', 'spend'],
        lineage: { datasets: [] },
        approval: { status: 'pending' },
        aliases: [],
        createdBy: 'admin',
      },
    });
    expect(card.automatic.signature.inputs.map((i) => i.name)).toEqual(['features', 'segment']);
    expect(card.automatic.trainingData).toBeUndefined();
  });

  it('replaces the hand-written part (editor), audited, and renders it as markdown', async () => {
    const viewer = await t.connect((await t.sw.tokens.create({ name: 'card-viewer', role: 'viewer' })).token);
    await expect(viewer.models.setCard('carded@1', { intendedUse: 'x' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await t.sw.models.alias.set('carded', 'champion', 1);
    const updated = await t.sw.models.setCard('carded@champion', {
      intendedUse: 'Ranking accounts for retention calls.',
      limitations: 'Not calibrated for accounts younger than 30 days.',
      ethicalConsiderations: 'Age is a feature; reviewed by the fairness board.',
      evaluation: [
        { slice: 'all', dataset: 'holdout@1', metrics: { auc: 0.91, recall: 0.7 } },
        { slice: 'plan=pro', metrics: { auc: 0.88 } },
      ],
      markdown: '### Changelog\n\n- first version',
    });
    expect(updated).toMatchObject({
      version: 1,
      intendedUse: 'Ranking accounts for retention calls.',
      description: 'gradient-free baseline',
      updatedBy: 'admin',
      automatic: { aliases: ['champion'] },
    });
    expect(await t.sw.models.card('carded@1')).toEqual(updated);
    const audit = await t.sw.audit.list({ resource: 'model_version:carded@1' });
    expect(audit.items[0]).toMatchObject({ action: 'model.version.card.update' });

    const markdown = await t.sw.models.cardMarkdown('carded@1');
    expect(markdown).toContain('# Model card: carded@1');
    expect(markdown).toContain('## Intended use\n\nRanking accounts for retention calls.');
    expect(markdown).toContain('## Limitations\n\nNot calibrated');
    expect(markdown).toContain('| slice | dataset | auc | recall |');
    expect(markdown).toContain('| all | holdout@1 | 0.91 | 0.7 |');
    expect(markdown).toContain('| plan=pro |  | 0.88 |  |');
    expect(markdown).toContain('| features | float32 | [N, 3] |');
    expect(markdown).toContain('| segment | int64 | [N, ?] |');
    expect(markdown).toContain('- **Aliases:** champion');
    expect(markdown).toContain('### Changelog');
    const viaQuery = await t.fetch('/api/v1/models/carded/versions/1/card?format=markdown');
    expect(viaQuery.headers.get('content-type')).toContain('text/markdown');
    expect(await viaQuery.text()).toBe(markdown);
    const json = await t.fetch('/api/v1/models/carded/versions/1/card', {
      headers: { accept: 'text/markdown' },
    });
    expect(await json.text()).toBe(markdown);

    // PUT replaces: fields left out go back to empty (the description to the version's own).
    const replaced = await t.sw.models.setCard('carded@1', { intendedUse: 'only this' });
    expect(replaced).toMatchObject({ intendedUse: 'only this', limitations: '', evaluation: [] });
  });

  it('refuses malformed cards', async () => {
    const bad = await t.fetch('/api/v1/models/carded/versions/1/card', {
      method: 'PUT',
      body: JSON.stringify({ evaluation: [{ slice: 'all', metrics: { auc: 'high' } }] }),
    });
    expect(bad.status).toBe(400);
    const unknown = await t.fetch('/api/v1/models/carded/versions/1/card', {
      method: 'PUT',
      body: JSON.stringify({ owner: 'me' }),
    });
    expect(unknown.status).toBe(400);
    await expect(
      t.sw.models.setCard('carded@1', { evaluation: [{ slice: ' ', metrics: {} }] }),
    ).rejects.toBeInstanceOf(InvalidError);
    await expect(t.sw.models.card('carded@5')).rejects.toMatchObject({ code: 'MODEL_VERSION_NOT_FOUND' });
  });
});

// Needs dataset pushes (PUT /api/v1/datasets/{name}/versions), built by the datasets work.
describe.each(BACKENDS)('versions linked to datasets on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
    await pushDataset(t, 'churn-train', csv(200));
    await pushDataset(t, 'churn-train', csv(300, 5));
    await pushDataset(t, 'churn-valid', csv(80, 9));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores the dataset versions (resolved to numbers) and the run, and the card summarises the training profile', async () => {
    const run = await t.sw.startRun({ experiment: 'with-data', gitCommit: false });
    await run.end('finished');
    const version = await t.sw.models.register('linked', {
      file: Buffer.from(tabularModel(2)),
      run: run.id,
      datasets: [
        { ref: 'churn-train', role: 'train' },
        { ref: 'churn-valid@1', role: 'validation' },
      ],
      metrics: { auc: 0.8 },
    });
    expect(version.run).toBe(run.id);
    expect(version.datasets).toEqual([
      { dataset: 'churn-train', version: 2, role: 'train' },
      { dataset: 'churn-valid', version: 1, role: 'validation' },
    ]);
    const card: ModelCard = await t.sw.models.card('linked@1');
    expect(card.automatic.lineage).toEqual({ run: run.id, datasets: version.datasets });
    expect(card.automatic.trainingData).toMatchObject({ dataset: 'churn-train', version: 2, rowCount: 300 });
    expect(card.automatic.trainingData!.columns.map((c) => c.name)).toEqual(['age', 'plan', 'churned']);
    const age = card.automatic.trainingData!.columns[0]!;
    expect(age.nullFraction).toBe(0);
    expect(age.min).toBe(20);
    expect(age.max).toBe(69);
    const markdown = await t.sw.models.cardMarkdown('linked@1');
    expect(markdown).toContain('## Training data');
    expect(markdown).toContain('`churn-train@2`: 300 rows.');
    expect(markdown).toContain('- Trained on: `churn-train@2`');
    expect(markdown).toContain('- Validated on: `churn-valid@1`');

    // The same facts as lineage edges.
    const graph = await t.sw.lineage.get({ node: 'model:linked@1', direction: 'upstream', depth: 2 });
    const edges = graph.edges.map((e) => `${e.source} -${e.relation}-> ${e.target}`).sort();
    expect(edges).toEqual(
      [
        `dataset:churn-train@2 -input-> run:${run.id}`,
        'dataset:churn-train@2 -trained_on-> model:linked@1',
        `dataset:churn-valid@1 -input-> run:${run.id}`,
        'dataset:churn-valid@1 -validated_on-> model:linked@1',
        `run:${run.id} -produced-> model:linked@1`,
      ].sort(),
    );
  });

  it('refuses unknown datasets and versions before storing anything', async () => {
    for (const [ref, code] of [
      ['churn-train@9', 'DATASET_VERSION_NOT_FOUND'],
      ['nothing@1', 'DATASET_NOT_FOUND'],
      ['churn-train@best', 'DATASET_VERSION_NOT_FOUND'],
      ['bad name@1', 'INVALID_ARGUMENT'],
    ] as const) {
      const error = await t.sw.models
        .register('unlinked', { file: Buffer.from(tabularModel(2)), datasets: [{ ref, role: 'train' }] })
        .catch((e: unknown) => e);
      expect((error as { code: string }).code, ref).toBe(code);
    }
    await expect(t.sw.models.get('unlinked')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
