/**
 * The differential suite's reading of `kubectl argo rollouts get rollout`: only the namespace, ages and scale-down
 * delays are normalised; any other change of a line is a difference keyed by the line's field.
 */
import { describe, expect, it } from '@jest/globals';
import { diffGet, lineFields, normaliseGet } from '../../differential/plugin-get.js';

const OUTPUT = (ns: string, age: string, status = '॥ Paused', delay = '2s') => `Name:            reviews
Namespace:       ${ns}
Status:          ${status}
Message:         CanaryPauseStep
Strategy:        Canary
  Step:          1/4
Images:          registry.example/reviews:v1 (stable)
                 registry.example/reviews:v2 (canary)
Replicas:
  Desired:       4

NAME                        KIND        STATUS     AGE  INFO
⟳ reviews                   Rollout     ${status}   ${age}   
├──# revision:2                                         
│  └──⧉ reviews-794558559d  ReplicaSet  ✔ Healthy  ${age}   canary
└──# revision:1                                         
   └──⧉ reviews-7b54bd955   ReplicaSet  ✔ Healthy  2m5s  stable,delay:${delay}
`;

describe('normaliseGet', () => {
  it('makes two outputs equal that differ only by namespace, ages, delays and alignment', () => {
    expect(normaliseGet(OUTPUT('diff-argo-1', '6s', '॥ Paused', '2s'), 'diff-argo-1')).toEqual(
      normaliseGet(OUTPUT('diff-sluice-2', '12s', '॥ Paused', 'passed'), 'diff-sluice-2'),
    );
  });
  it('keeps everything else: hashes, counts, steps', () => {
    const lines = normaliseGet(OUTPUT('ns-a', '6s'), 'ns-a');
    expect(lines).toContain('Namespace: {ns}');
    expect(lines).toContain('│ └──⧉ reviews-794558559d ReplicaSet ✔ Healthy {age} canary');
    expect(lines).toContain('└──⧉ reviews-7b54bd955 ReplicaSet ✔ Healthy {age} stable,delay:{left}');
    expect(lines).toContain('Step: 1/4');
  });
});

describe('lineFields', () => {
  it('keys label lines by label, continuation lines by the label above, tree lines by icon and kind', () => {
    const lines = normaliseGet(OUTPUT('ns-a', '6s'), 'ns-a');
    const fields = lineFields(lines);
    expect(fields[lines.indexOf('Step: 1/4')]).toBe('Step');
    expect(fields[lines.indexOf('registry.example/reviews:v2 (canary)')]).toBe('Images');
    expect(fields[lines.indexOf('├──# revision:2')]).toBe('# revision');
    expect(fields[lines.indexOf('⟳ reviews Rollout ॥ Paused {age}')]).toBe('⟳ Rollout');
  });
});

describe('diffGet', () => {
  it.each([
    ['status', OUTPUT('n', '1s', '✔ Healthy'), ['Status', '⟳ Rollout']],
    ['ReplicaSet hash', OUTPUT('n', '1s').replace('7b54bd955', '7b54bd956'), ['⧉ ReplicaSet']],
    ['line left out', OUTPUT('n', '1s').replace('Message:         CanaryPauseStep\n', ''), 'many'],
  ])('finds a difference: %s', (_what, changed, fields) => {
    const d = diffGet(normaliseGet(OUTPUT('n', '1s'), 'n'), normaliseGet(changed, 'n'), 'here');
    if (fields === 'many') expect(d.length).toBeGreaterThan(1);
    else expect(d.map((x) => x.field)).toEqual(fields);
    expect(d.every((x) => x.kind === 'plugin get rollout' && x.where === 'here')).toBe(true);
  });
  it('finds nothing in equal outputs', () => {
    expect(
      diffGet(
        normaliseGet(OUTPUT('diff-a-1', '1s'), 'diff-a-1'),
        normaliseGet(OUTPUT('diff-s-2', '9m'), 'diff-s-2'),
        'x',
      ),
    ).toEqual([]);
  });
});
