/** A real S3-compatible server (s3rver) on a random port, with one bucket, for the S3 backend's tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** Env for a Slipway server or the S3 SDK pointing at it. */
  readonly env: Readonly<Record<string, string>>;
  client(): S3Client;
  close(): Promise<void>;
}

// s3rver accepts any credentials; the SDK insists on having some.
process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING ??= '1';

export async function startLocalS3(bucket = 'slipway-test'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'slipway-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const address = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = () =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const admin = client();
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  admin.destroy();
  return {
    endpoint,
    bucket,
    env: { SLIPWAY_S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    client,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
