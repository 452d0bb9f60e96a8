/**
 * Values from SSM Parameter Store (`ssm:GetParameter`): the cluster registry lives there, not in the functions'
 * environment (Lambda's 4 KB environment would hold only two or three EKS clusters with inline CAs).
 */
import type { SSMClient } from '@aws-sdk/client-ssm';

/**
 * The string value of parameter `name` (SecureString values decrypted).
 * @throws Error naming the parameter when it is missing, unreadable or empty.
 */
export async function readParameter(client: SSMClient, name: string): Promise<string> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  let out;
  try {
    out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  } catch (err) {
    throw new Error(`ssm:GetParameter ${name} failed: ${(err as Error).name}: ${(err as Error).message}`);
  }
  const value = out.Parameter?.Value;
  if (!value) throw new Error(`SSM parameter ${name} has no value`);
  return value;
}
