/** Configuration: defaults, every accepted form, and one clear message per bad variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadClientConfig, loadServerConfig } from '../../src/core/config.js';

describe('server configuration', () => {
  it('defaults to SQLite and a local artifact folder under ./.slipway on 127.0.0.1:7070', () => {
    const config = loadServerConfig({}, '/srv/app');
    expect(config).toMatchObject({
      home: '/srv/app/.slipway',
      host: '127.0.0.1',
      port: 7070,
      database: { kind: 'sqlite', path: '/srv/app/.slipway/slipway.db' },
      artifacts: { kind: 'file', path: '/srv/app/.slipway/artifacts' },
      logLevel: 'info',
    });
    expect(config.maxArtifactBytes).toBe(5 * 1024 ** 3);
  });

  it('accepts sqlite:, postgres:// with a schema, file: and s3:// URLs', () => {
    const config = loadServerConfig(
      {
        SLIPWAY_HOME: 'data',
        SLIPWAY_DATABASE_URL: 'postgresql://u:secret@db:5432/slipway?schema=prod',
        SLIPWAY_ARTIFACTS_URL: 's3://ml-artifacts/team/a/',
        SLIPWAY_S3_ENDPOINT: 'http://minio:9000',
        SLIPWAY_MAX_ARTIFACT_BYTES: '512MiB',
        SLIPWAY_PORT: '0',
      },
      '/x',
    );
    expect(config.home).toBe('/x/data');
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:secret@db:5432/slipway',
      schema: 'prod',
    });
    expect(config.artifacts).toEqual({ kind: 's3', bucket: 'ml-artifacts', prefix: 'team/a' });
    expect(config.s3).toEqual({ endpoint: 'http://minio:9000', region: 'us-east-1', forcePathStyle: true });
    expect(config.maxArtifactBytes).toBe(512 * 1024 ** 2);
    expect(config.port).toBe(0);
    expect(
      loadServerConfig(
        { SLIPWAY_DATABASE_URL: 'sqlite:rel/db.sqlite', SLIPWAY_ARTIFACTS_URL: 'file:///abs/a' },
        '/w',
      ),
    ).toMatchObject({
      database: { kind: 'sqlite', path: '/w/rel/db.sqlite' },
      artifacts: { kind: 'file', path: '/abs/a' },
    });
  });

  it('reports every bad variable at once, naming it, what it must be and what it was, without leaking passwords', () => {
    let error: unknown;
    try {
      loadServerConfig({
        SLIPWAY_PORT: '70000',
        SLIPWAY_DATABASE_URL: 'mysql://root:hunter2@db/x',
        SLIPWAY_ARTIFACTS_URL: 's3://Bad_Bucket',
        SLIPWAY_MAX_ARTIFACT_BYTES: 'lots',
        SLIPWAY_LOG_LEVEL: 'loud',
        SLIPWAY_S3_ENDPOINT: 'minio:9000',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe("SLIPWAY_PORT: must be an integer from 0 to 65535, got '70000'");
    expect(problems.join('\n')).toContain(
      "SLIPWAY_DATABASE_URL: must be sqlite:<path> or postgres://user@host/db, got 'mysql://root:***@db/x'",
    );
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.join('\n')).toContain("'Bad_Bucket' is not a valid S3 bucket name");
    expect(problems.join('\n')).toContain('SLIPWAY_MAX_ARTIFACT_BYTES: must be a positive size');
    expect(problems.join('\n')).toContain('SLIPWAY_LOG_LEVEL: must be one of');
    expect(problems.join('\n')).toContain('SLIPWAY_S3_ENDPOINT: must be an http(s) URL');
  });
});

describe('serving configuration', () => {
  it('reads the session threads per model version, leaving the default to the runtime when unset', () => {
    expect(loadServerConfig({}, '/w').serving.onnxSessions).toBeUndefined();
    expect(loadServerConfig({ SLIPWAY_ONNX_SESSIONS: '3' }, '/w').serving.onnxSessions).toBe(3);
    expect(() => loadServerConfig({ SLIPWAY_ONNX_SESSIONS: '0' }, '/w')).toThrow(
      "SLIPWAY_ONNX_SESSIONS: must be a whole number from 1 to 256, got '0'",
    );
  });

  it('keeps the inference log 30 days unless told otherwise, and 0 keeps it forever', () => {
    expect(loadServerConfig({}, '/w').serving.logRetentionMs).toBe(30 * 86_400_000);
    expect(loadServerConfig({ SLIPWAY_INFERENCE_LOG_RETENTION: '12h' }, '/w').serving.logRetentionMs).toBe(
      12 * 3_600_000,
    );
    expect(loadServerConfig({ SLIPWAY_INFERENCE_LOG_RETENTION: '0' }, '/w').serving.logRetentionMs).toBe(0);
    expect(() => loadServerConfig({ SLIPWAY_INFERENCE_LOG_RETENTION: '2 weeks' }, '/w')).toThrow(
      "SLIPWAY_INFERENCE_LOG_RETENTION: must be a duration such as 30d, 12h or 90m, or 0 to keep rows forever, got '2 weeks'",
    );
  });
});

describe('client configuration', () => {
  it('defaults to the local server on SLIPWAY_PORT and reads SLIPWAY_URL and SLIPWAY_TOKEN', () => {
    expect(loadClientConfig({}, '/w')).toEqual({ url: 'http://127.0.0.1:7070', home: '/w/.slipway' });
    expect(loadClientConfig({ SLIPWAY_PORT: '8080' }, '/w').url).toBe('http://127.0.0.1:8080');
    expect(
      loadClientConfig({ SLIPWAY_URL: 'https://ml.example.com/', SLIPWAY_TOKEN: 'swt_x' }, '/w'),
    ).toEqual({
      url: 'https://ml.example.com',
      token: 'swt_x',
      home: '/w/.slipway',
    });
    expect(() => loadClientConfig({ SLIPWAY_URL: 'not a url' })).toThrow(
      /SLIPWAY_URL: must be an http\(s\) URL/,
    );
  });
});
