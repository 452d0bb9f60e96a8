/**
 * moto's server for a test file (tests/support/moto.ts starts it): one per file, started in `beforeAll` and stopped
 * in `afterAll`.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { startAwsServer, type AwsServer } from './moto.js';

export { awsClientConfig, startAwsServer, TEST_REGION, type AwsServer } from './moto.js';

/**
 * One server for the calling test file: started in `beforeAll` (registered here, so before the file's own hooks) and
 * stopped in `afterAll`. Call at the top of the file; the getter returns the running server inside tests and hooks.
 */
export function useAwsServer(): () => AwsServer {
  let server: AwsServer | undefined;
  beforeAll(async () => {
    server = await startAwsServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server)
      throw new Error('the AWS-API server is not running: call useAwsServer() at the top of the test file');
    return server;
  };
}
