import { describe, expect, it } from '@jest/globals';
import { isOperatorAction, OPERATOR_ACTIONS } from '../../../../shared/core/model/actions.js';

describe('operator action names', () => {
  it('are the six actions Argo Rollouts operators use, each once', () => {
    expect([...OPERATOR_ACTIONS]).toEqual(['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume']);
    expect(new Set(OPERATOR_ACTIONS).size).toBe(OPERATOR_ACTIONS.length);
  });

  it.each([
    { name: 'promote', want: true },
    { name: 'promote-full', want: true },
    { name: 'resume', want: true },
    { name: 'Promote', want: false },
    { name: 'promote ', want: false },
    { name: 'full', want: false },
    { name: '', want: false },
    { name: 'constructor', want: false },
  ])('isOperatorAction($name) → $want', ({ name, want }) => expect(isOperatorAction(name)).toBe(want));
});
