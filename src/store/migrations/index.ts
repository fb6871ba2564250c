/** The ordered list of migrations. Append only; a landed migration is never edited or removed. */
import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as registry from './0002-registry.js';
import * as training from './0003-training.js';
import * as serving from './0004-serving.js';
import * as pipelines from './0005-pipelines.js';
import * as pipelineSchedules from './0006-pipeline-schedules.js';
import * as monitors from './0007-monitors.js';
import * as feedback from './0008-feedback.js';
import * as policies from './0009-policies.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-foundation': foundation,
  '0002-registry': registry,
  '0003-training': training,
  '0004-serving': serving,
  '0005-pipelines': pipelines,
  '0006-pipeline-schedules': pipelineSchedules,
  '0007-monitors': monitors,
  '0008-feedback': feedback,
  '0009-policies': policies,
};
