/**
 * `npm run redrive -- --queue-url URL --bus NAME [--region R]`: puts the sluice events of the failure queue
 * (`sluice-<stage>-failed`) back on the bus (shared/adapters/aws/redrive.ts) and prints what it did as JSON.
 * Uses the AWS credentials of the shell (the usual SDK chain).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveFailed, type RedriveResult } from '../../adapters/aws/redrive.js';

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Runs the redrive for `argv`; exit code 2 on bad usage. */
export async function redriveMain(argv: string[]): Promise<RedriveResult | undefined> {
  const queueUrl = flag(argv, '--queue-url');
  const bus = flag(argv, '--bus');
  const region = flag(argv, '--region');
  if (!queueUrl || !bus) {
    process.stderr.write('usage: npm run redrive -- --queue-url URL --bus NAME [--region REGION]\n');
    process.exitCode = 2;
    return undefined;
  }
  const opts = region ? { region } : {};
  const result = await redriveFailed(new SQSClient(opts), new EventBridgeClient(opts), queueUrl, bus);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}
