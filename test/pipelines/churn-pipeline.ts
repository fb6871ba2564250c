/** The realistic pipeline the definition tests share, as YAML and as the equivalent TypeScript object. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax, not a JS template.
import type { PipelineSpec } from '../../src/pipelines/index.js';

export const CHURN_YAML = `name: churn-lifecycle
description: Retrain, evaluate and ship the churn model
concurrency: 4
params:
  data-file: { type: string, default: data/churn.csv }
  threshold: { type: number, default: 0.85 }
  grid: { type: list, default: [4, 8, 16] }
steps:
  - name: push
    kind: dataset.push
    inputs: { name: churn, file: "\${{ params.data-file }}" }
  - name: validate
    kind: dataset.validate
    inputs: { dataset: "\${{ steps.push.outputs.dataset }}" }
  - name: train
    kind: train
    timeout: 10m
    retries: { count: 2 }
    resources: [gpu]
    inputs:
      dataset: "\${{ steps.push.outputs.dataset }}"
      target: churned
      trials: 20
    after: [validate]
  - name: grid
    kind: fn
    module: ./grid.ts
    foreach: { items: "\${{ params.grid }}", concurrency: 2 }
    inputs: { leaves: "\${{ item }}", dataset: "\${{ steps.push.outputs.dataset }}" }
    outputs: { auc: number }
  - name: compare
    kind: command
    argv: [python3, compare.py, "--threshold=\${{ params.threshold }}"]
    env: { GRID_AUCS: "\${{ steps.grid.outputs.auc }}" }
    outputs: { best: number }
  - name: evaluate
    kind: model.evaluate
    inputs:
      model: "\${{ steps.train.outputs.model }}"
      dataset: "\${{ steps.push.outputs.dataset }}"
      target: churned
  - name: gate
    kind: gate
    inputs:
      condition: steps.evaluate.outputs.auc >= params.threshold && steps.compare.outputs.best <= steps.evaluate.outputs.auc
  - name: register
    kind: model.register
    inputs: { name: churn, run: "\${{ steps.train.outputs.run }}" }
    after: [gate]
  - name: alias
    kind: model.alias
    inputs: { model: "\${{ steps.register.outputs.model }}", alias: champion }
  - name: deploy
    kind: deployment.update
    when: params.threshold > 0.5
    inputs: { deployment: churn-api, routes: [{ model: churn@champion, weight: 100 }] }
    after: [alias]
`;

export const CHURN_SPEC: PipelineSpec = {
  steps: [
    { kind: 'dataset.push', name: 'push', inputs: { file: '${{ params.data-file }}', name: 'churn' } },
    { name: 'validate', kind: 'dataset.validate', inputs: { dataset: '${{ steps.push.outputs.dataset }}' } },
    {
      name: 'train',
      kind: 'train',
      timeout: 600_000,
      retries: { count: 2, backoffMs: 1000 },
      resources: ['gpu'],
      inputs: { dataset: '${{ steps.push.outputs.dataset }}', target: 'churned', trials: 20 },
      after: ['validate'],
    },
    {
      name: 'grid',
      kind: 'fn',
      module: './grid.ts',
      export: 'default',
      foreach: { items: '${{ params.grid }}', concurrency: 2 },
      inputs: { leaves: '${{ item }}', dataset: '${{ steps.push.outputs.dataset }}' },
      outputs: { auc: 'number' },
    },
    {
      name: 'compare',
      kind: 'command',
      argv: ['python3', 'compare.py', '--threshold=${{ params.threshold }}'],
      env: { GRID_AUCS: '${{ steps.grid.outputs.auc }}' },
      outputs: { best: 'number' },
    },
    {
      name: 'evaluate',
      kind: 'model.evaluate',
      inputs: {
        model: '${{ steps.train.outputs.model }}',
        dataset: '${{ steps.push.outputs.dataset }}',
        target: 'churned',
      },
    },
    {
      name: 'gate',
      kind: 'gate',
      inputs: {
        condition:
          'steps.evaluate.outputs.auc >= params.threshold && steps.compare.outputs.best <= steps.evaluate.outputs.auc',
      },
    },
    {
      name: 'register',
      kind: 'model.register',
      inputs: { name: 'churn', run: '${{ steps.train.outputs.run }}' },
      after: ['gate'],
    },
    {
      name: 'alias',
      kind: 'model.alias',
      inputs: { model: '${{ steps.register.outputs.model }}', alias: 'champion' },
    },
    {
      name: 'deploy',
      kind: 'deployment.update',
      when: 'params.threshold > 0.5',
      inputs: { deployment: 'churn-api', routes: [{ weight: 100, model: 'churn@champion' }] },
      after: ['alias'],
    },
  ],
  params: {
    threshold: { default: 0.85, type: 'number' },
    'data-file': { type: 'string', default: 'data/churn.csv' },
    grid: { type: 'list', default: [4, 8, 16] },
  },
  concurrency: 4,
  description: 'Retrain, evaluate and ship the churn model',
  name: 'churn-lifecycle',
};
