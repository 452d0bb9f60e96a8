/**
 * The Rollout's AnalysisRuns in the engine (`planAnalysis` through `plan`), one case per reaction. Cases taken from
 * Argo's `rollout/analysis_test.go` carry the Go test's name.
 */
import { describe, expect, it } from '@jest/globals';
import { plan } from '../../../../shared/core/engine/plan.js';
import { operatorAction } from '../../../../shared/core/engine/actions.js';
import { drive, messages } from './support/drive.js';
import { weightsOf } from './support/fixtures.js';
import { AnalysisWorld, ANALYSIS_STEPS, template } from './support/analysis-world.js';

const BG = { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service', value: 'demo' }] };

/** A Rollout updated to demo:2 and driven until it waits at its analysis step (index 1). */
function atAnalysisStep(steps = ANALYSIS_STEPS, background?: object): { w: AnalysisWorld; hash: string } {
  const w = new AnalysisWorld(steps, background);
  drive(w);
  w.updateImage('demo:2');
  drive(w);
  return { w, hash: w.rollout.status?.currentPodHash ?? '' };
}

const stepRef = (w: AnalysisWorld) => w.rollout.status?.canary?.currentStepAnalysisRunStatus;
const bgRef = (w: AnalysisWorld) => w.rollout.status?.canary?.currentBackgroundAnalysisRunStatus;

describe('analysis steps', () => {
  it('TestCreateAnalysisRunOnAnalysisStep: <rollout>-<hash>-<revision>-<step>, labelled and owned as Argo does', () => {
    const { w, hash } = atAnalysisStep();
    const name = `demo-${hash}-2-1`;
    expect(w.rollout.status?.currentStepIndex).toBe(1);
    expect(stepRef(w)).toEqual({ name, status: '' });
    const run = w.run(name);
    expect(run?.metadata.labels).toEqual({
      'rollouts-pod-template-hash': hash,
      'rollout-type': 'Step',
      'step-index': '1',
      app: 'demo',
    });
    expect(run?.metadata.annotations).toEqual({ 'rollout.argoproj.io/revision': '2' });
    expect(run?.metadata['ownerReferences']).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'demo',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(run?.spec.args).toEqual([{ name: 'service', value: 'demo' }]);
    expect(run?.spec.metrics[0]?.provider.prometheus?.query).toBe('rate({{args.service}})');
  });

  it('the step waits while its run is Running: no writes, the reason says so', () => {
    const { w, hash } = atAnalysisStep();
    w.setRunPhase(`demo-${hash}-2-1`, 'Running');
    const p = plan(w.observed());
    w.apply(p);
    expect(p.effects).toEqual([]);
    expect(p.events).toContainEqual({
      type: 'Normal',
      reason: 'AnalysisRunRunning',
      message: `Step Analysis Run 'demo-${hash}-2-1' Status New: 'Running' Previous: ''`,
    });
    expect(p.reason).toMatch(/step 2\/4 waits for its AnalysisRun \(phase Running\)/);
    expect(plan(w.observed())).toMatchObject({ effects: [], events: [] });
  });

  it('TestIncrementStepAfterSuccessfulAnalysisRun: index + 1, field cleared, RolloutStepCompleted (analysis)', () => {
    const { w, hash } = atAnalysisStep();
    w.setRunPhase(`demo-${hash}-2-1`, 'Successful');
    const p = plan(w.observed());
    expect(p.transition).toBe('step-completed');
    expect(p.status?.currentStepIndex).toBe(2);
    expect(p.status?.canary?.currentStepAnalysisRunStatus).toBeUndefined();
    expect(messages(p.events, 'RolloutStepCompleted')).toEqual(['Rollout step 2/4 completed (analysis)']);
    expect(messages(p.events, 'AnalysisRunSuccessful')).toEqual([
      `Step Analysis Run 'demo-${hash}-2-1' Status New: 'Successful' Previous: ''`,
    ]);
  });

  it('TestPausedStepAfterInconclusiveAnalysisRun: InconclusiveAnalysisRun pause, controllerPause, Paused', () => {
    const { w, hash } = atAnalysisStep();
    w.setRunPhase(`demo-${hash}-2-1`, 'Inconclusive');
    const p = plan(w.observed());
    expect(p.transition).toBe('paused');
    expect(p.status?.pauseConditions).toEqual([
      { reason: 'InconclusiveAnalysisRun', startTime: '2026-01-01T00:00:00Z' },
    ]);
    expect(p.status?.controllerPause).toBe(true);
    expect(p.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun' });
    expect(p.status?.abort).toBeUndefined();
    w.apply(p);
    expect(drive(w).last.reason).toMatch(/paused: an AnalysisRun was Inconclusive/);
    expect(w.rollout.status?.currentStepIndex).toBe(1);
  });

  it('promote on an Inconclusive step run skips the step, as the kubectl plugin does; the old run is terminated', () => {
    const { w, hash } = atAnalysisStep();
    w.setRunPhase(`demo-${hash}-2-1`, 'Inconclusive');
    w.apply(plan(w.observed()));
    const action = operatorAction(w.rollout, 'promote', { now: w.now });
    expect(action).toMatchObject({
      ok: true,
      statusPatch: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 2 } },
    });
    w.setStatus({ pauseConditions: null, controllerPause: false, currentStepIndex: 2 });
    drive(w);
    expect(w.rollout.status?.currentStepIndex).toBe(3);
    expect(stepRef(w)).toBeUndefined();
  });

  it.each([
    ['Error', 'TestErrorConditionAfterErrorAnalysisRunStep'],
    ['Failed', 'a Failed step run'],
  ] as const)("%s (%s): abort with Argo's message, weights back to 0 in the same pass", (phase, _name) => {
    const { w, hash } = atAnalysisStep();
    const why = 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
    w.setRunPhase(`demo-${hash}-2-1`, phase, why);
    const p = plan(w.observed());
    expect(p.transition).toBe('aborted');
    const message = `Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${why}`;
    expect(p.events).toContainEqual({ type: 'Warning', reason: 'RolloutAborted', message });
    expect(p.status).toMatchObject({ abort: true, currentStepIndex: 0, phase: 'Degraded' });
    expect(p.status?.message).toBe(`RolloutAborted: ${message}`);
    expect(p.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
      message,
    });
    w.apply(p);
    expect(weightsOf(w.vs())).toEqual({ 'demo-canary': 0, 'demo-stable': 100 });
    drive(w);
    // TestCancelAnalysisRunsWhenAborted: the next pass clears the field; the first message sticks.
    expect(stepRef(w)).toBeUndefined();
    expect(w.rollout.status?.message).toBe(`RolloutAborted: ${message}`);
  });

  it('TestCancelAnalysisRunsWhenAborted: an operator abort terminates the running run and clears the field', () => {
    const { w, hash } = atAnalysisStep();
    w.setRunPhase(`demo-${hash}-2-1`, 'Running');
    w.setStatus({ abort: true });
    drive(w);
    expect(w.terminated()).toEqual([`demo-${hash}-2-1`]);
    expect(stepRef(w)).toBeUndefined();
    expect(w.rollout.status?.conditions?.find((c) => c.type === 'Progressing')?.message).toBe(
      'Rollout aborted update to revision 2',
    );
  });

  it('TestCreateAnalysisRunOnPromotedAnalysisStepIfPreviousStepWasAnalysisToo: the old run is terminated', () => {
    const steps = [ANALYSIS_STEPS[1]!, ANALYSIS_STEPS[1]!, { pause: {} }];
    const w = new AnalysisWorld(steps);
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    const hash = w.rollout.status?.currentPodHash ?? '';
    expect(stepRef(w)?.name).toBe(`demo-${hash}-2-0`);
    w.setStatus({ currentStepIndex: 1 });
    const p = plan(w.observed());
    w.apply(p);
    expect(w.terminated()).toEqual([`demo-${hash}-2-0`]);
    expect(stepRef(w)).toBeUndefined();
    w.apply(plan(w.observed()));
    expect(stepRef(w)).toEqual({ name: `demo-${hash}-2-1`, status: '' });
  });

  it('TestCreateAnalysisRunWithCollision: a completed run under the name → <name>.1', () => {
    const { w, hash } = atAnalysisStep();
    const name = `demo-${hash}-2-1`;
    w.setRunPhase(name, 'Failed');
    w.setStatus({ canary: { ...w.rollout.status?.canary, currentStepAnalysisRunStatus: undefined } });
    w.setStatus({ abortedAt: '2026-01-01T00:00:00Z' });
    const p = plan(w.observed());
    expect(p.effects.filter((e) => e.op === 'create').map((e) => e.target.name)).toEqual([`${name}.1`]);
  });

  it('TestCreateAnalysisRunWithCollisionAndSemanticEquality: a running equal run is adopted, nothing created', () => {
    const { w, hash } = atAnalysisStep();
    const name = `demo-${hash}-2-1`;
    w.setRunPhase(name, 'Running');
    const canary = { ...w.rollout.status?.canary };
    delete canary.currentStepAnalysisRunStatus;
    w.setStatus({ canary });
    const p = plan(w.observed());
    expect(p.effects).toEqual([]);
    expect(p.status?.canary?.currentStepAnalysisRunStatus).toEqual({ name, status: 'Running' });
  });

  it('a new revision clears both fields and terminates the old runs', () => {
    const { w, hash } = atAnalysisStep();
    w.setRunPhase(`demo-${hash}-2-1`, 'Running');
    w.updateImage('demo:3');
    w.apply(plan(w.observed()));
    expect(stepRef(w)).toBeUndefined();
    w.apply(plan(w.observed()));
    expect(w.terminated()).toEqual([`demo-${hash}-2-1`]);
  });
});

describe('background analysis', () => {
  it('TestCreateBackgroundAnalysisRun: <rollout>-<hash>-<revision>, rollout-type Background, from the first pass', () => {
    const { w, hash } = atAnalysisStep(ANALYSIS_STEPS, BG);
    expect(bgRef(w)).toEqual({ name: `demo-${hash}-2`, status: '' });
    expect(w.run(`demo-${hash}-2`)?.metadata.labels).toMatchObject({ 'rollout-type': 'Background' });
    expect(w.run(`demo-${hash}-2`)?.metadata.labels?.['step-index']).toBeUndefined();
  });

  it('startingStep: nothing is created before the step is reached', () => {
    const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];
    const w = new AnalysisWorld(steps, { ...BG, startingStep: 2 });
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    expect(w.runs).toEqual([]);
    w.setStatus({ pauseConditions: null });
    drive(w);
    const hash = w.rollout.status?.currentPodHash ?? '';
    expect(w.rollout.status?.currentStepIndex).toBe(3);
    expect(bgRef(w)?.name).toBe(`demo-${hash}-2`);
  });

  it('TestErrorConditionAfterErrorAnalysisRunBackground: Failed → abort "Background analysis phase error/failed"', () => {
    const steps = [{ setWeight: 20 }, { pause: {} }];
    const w = new AnalysisWorld(steps, BG);
    drive(w);
    w.updateImage('demo:2');
    drive(w);
    const hash = w.rollout.status?.currentPodHash ?? '';
    w.setRunPhase(
      `demo-${hash}-2`,
      'Failed',
      'Metric "m" assessed Failed due to failed (1) > failureLimit (0)',
    );
    const p = plan(w.observed());
    expect(messages(p.events, 'RolloutAborted')).toEqual([
      'Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "m" assessed Failed due to failed (1) > failureLimit (0)',
    ]);
    expect(messages(p.events, 'AnalysisRunFailed')).toEqual([
      `Background Analysis Run 'demo-${hash}-2' Status New: 'Failed' Previous: ''`,
    ]);
  });

  it('TestPausedOnInconclusiveBackgroundAnalysisRun: pauses; promote clears it and starts a new run <name>.1', () => {
    const { w, hash } = atAnalysisStep(ANALYSIS_STEPS, BG);
    const index = w.rollout.status?.currentStepIndex;
    w.setRunPhase(`demo-${hash}-2`, 'Inconclusive');
    w.apply(plan(w.observed()));
    expect(w.rollout.status).toMatchObject({
      phase: 'Paused',
      message: 'InconclusiveAnalysisRun',
      controllerPause: true,
    });
    drive(w);
    expect(w.rollout.status?.currentStepIndex).toBe(index);
    const promote = operatorAction(w.rollout, 'promote', { now: w.now });
    expect(promote).toMatchObject({ ok: true, statusPatch: { status: { pauseConditions: null } } });
    w.setStatus({ pauseConditions: null });
    w.apply(plan(w.observed()));
    expect(bgRef(w)).toEqual({ name: `demo-${hash}-2.1`, status: '' });
    expect(w.rollout.status?.controllerPause).toBeUndefined();
  });

  it('TestCancelBackgroundAnalysisRunWhenRolloutIsCompleted: promotion terminates the background run', () => {
    const steps = [{ setWeight: 20 }];
    const w = new AnalysisWorld(steps, BG);
    drive(w);
    w.updateImage('demo:2');
    const runs = drive(w);
    const hash = w.rollout.status?.currentPodHash ?? '';
    expect(w.rollout.status?.stableRS).toBe(hash);
    expect(
      runs.plans.some((p) => p.effects.some((e) => e.op === 'create' && e.target.name === `demo-${hash}-2`)),
    ).toBe(true);
    expect(w.terminated()).toEqual([`demo-${hash}-2`]);
    expect(bgRef(w)).toBeUndefined();
  });
});

describe('analysis references (InvalidSpec)', () => {
  it('TestInvalidSpecMissingClusterTemplatesBackgroundAnalysis', () => {
    const w = new AnalysisWorld(ANALYSIS_STEPS, {
      templates: [{ templateName: 'missing', clusterScope: true }],
    });
    const p = plan(w.observed());
    expect(p.transition).toBe('invalid-spec');
    expect(p.effects).toEqual([]);
    expect(p.status?.message).toBe(
      'InvalidSpec: The Rollout "demo" is invalid: spec.strategy.canary.analysis.templates: Invalid value: "missing": ClusterAnalysisTemplate \'missing\' not found',
    );
  });

  it('TestFailCreateStepAnalysisRunIfInvalidTemplateRef: two templates with the same metric', () => {
    const steps = [{ analysis: { templates: [{ templateName: 'a' }, { templateName: 'b' }] } }];
    const w = new AnalysisWorld(steps);
    w.templates = [template('a', 'example'), template('b', 'example')];
    const p = plan(w.observed());
    expect(p.effects).toEqual([]);
    expect(p.status?.message).toBe(
      'InvalidSpec: The Rollout "demo" is invalid: spec.strategy.canary.steps[0].analysis.templates: Invalid value: "templateNames: [a b]": two metrics have the same name \'example\'',
    );
  });
});
