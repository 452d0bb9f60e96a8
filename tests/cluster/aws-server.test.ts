/**
 * The loopback AWS-API server the AWS tests use really answers as AWS does: a secret written through the SDK is read
 * back by name and by ARN, and an unknown name is ResourceNotFoundException.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsClientConfig, useAwsServer } from '../support/aws-server.js';

const server = useAwsServer();

describe('loopback AWS-API server', () => {
  it('stores and returns a secret by name and by ARN, and refuses an unknown name', async () => {
    const sm = new SecretsManagerClient(awsClientConfig(server()));
    const created = await sm.send(new CreateSecretCommand({ Name: 'probe/secret', SecretString: 's3cret' }));
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:probe\/secret-[A-Za-z0-9]{6}$/,
    );
    const byName = await sm.send(new GetSecretValueCommand({ SecretId: 'probe/secret' }));
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect([byName.SecretString, byArn.SecretString]).toEqual(['s3cret', 's3cret']);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'probe/missing' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
