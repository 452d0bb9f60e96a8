/**
 * The operator's list of metric roles (`SLUICE_METRIC_ROLE_ARNS`, the MetricRoleArns stack parameter): IAM role ARNs
 * only, so a wildcard or another kind of principal never reaches the allowed set.
 */
import { describe, expect, it } from '@jest/globals';
import { parseRoleArns } from '../../../../shared/adapters/aws/assume-role.js';
import { readConfig } from '../../../../shared/runtimes/lambda/config.js';

describe('parseRoleArns', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, []],
    ['', []],
    [' , ', []],
    ['arn:aws:iam::123456789012:role/amp-reader', ['arn:aws:iam::123456789012:role/amp-reader']],
    [
      'arn:aws:iam::123456789012:role/a, arn:aws-cn:iam::210987654321:role/team/b',
      ['arn:aws:iam::123456789012:role/a', 'arn:aws-cn:iam::210987654321:role/team/b'],
    ],
  ])('%j → %j', (raw, arns) => {
    expect(parseRoleArns(raw)).toEqual(arns);
  });

  it.each(['*', 'arn:aws:iam::123456789012:role/*', 'arn:aws:iam::123456789012:user/u', 'amp-reader'])(
    'refuses %j, naming it',
    (raw) => {
      expect(() => parseRoleArns(raw)).toThrow(`"${raw}" is not an IAM role ARN`);
    },
  );

  it('the functions read it from SLUICE_METRIC_ROLE_ARNS, naming the variable when it is wrong', () => {
    const env = { SLUICE_CLUSTERS: '[]', SLUICE_EVENT_BUS: 'b', SLUICE_INSTANCE_ID: 'i' };
    expect(readConfig(env).metricRoleArns).toBeUndefined();
    expect(
      readConfig({ ...env, SLUICE_METRIC_ROLE_ARNS: 'arn:aws:iam::123456789012:role/r' }).metricRoleArns,
    ).toEqual(['arn:aws:iam::123456789012:role/r']);
    expect(() => readConfig({ ...env, SLUICE_METRIC_ROLE_ARNS: '*' })).toThrow(
      'environment variable SLUICE_METRIC_ROLE_ARNS: metric role ARN list: "*" is not an IAM role ARN',
    );
  });
});
