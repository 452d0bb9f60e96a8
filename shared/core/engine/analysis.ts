/**
 * A canary Rollout's AnalysisRuns, as Argo's `reconcileAnalysisRuns` handles them in one pass: cancel every current
 * run when the update is promoted, aborted, fully promoted on request or an initial deploy; otherwise keep one run
 * for the current `analysis` step and one background run from `startingStep`, created with Argo's names, labels and
 * ownerReference (`<rollout>-<hash>-<revision>[-<step>]`, `.1`, `.2` after a collision); terminate every other run
 * the Rollout owns; record each run's phase in `status.canary.current{Step,Background}AnalysisRunStatus` with an
 * `AnalysisRun<Phase>` Event when it changes; and react to it: Failed or Error aborts, Inconclusive pauses.
 *
 * The runs' own measurements are taken before the plan (`shared/app/analysis-pass.ts`), so the plan sees fresh
 * phases. Pure module: no I/O; time is passed in.
 */
import type { Rollout, RolloutStatus } from '../model/types.js';
import { analysisGroups, type AnalysisGroup } from '../analysis/references.js';
import {
  buildRolloutRun,
  collisionName,
  RUN_LABELS,
  runBaseName,
  runSpec,
  runSpecKey,
  type RunRequest,
} from '../analysis/rollout-run.js';
import type { TemplateLookup } from '../analysis/templates.js';
import {
  isCompleted,
  type AnalysisPhase,
  type AnalysisRun,
  type AnalysisTemplate,
} from '../analysis/types.js';
import { runPhaseChanged } from '../analysis/events.js';
import type { EventRecord, Write } from './types.js';

/** The pause reason of an Inconclusive run. */
export const INCONCLUSIVE_PAUSE = 'InconclusiveAnalysisRun';

/** The analysis objects a pass reads: the runs the Rollout owns and the templates it can name. */
export interface ObservedAnalysis {
  /** AnalysisRuns in the Rollout's namespace whose controller ownerReference is the Rollout. */
  runs: AnalysisRun[];
  /** AnalysisTemplates in the Rollout's namespace. */
  templates: AnalysisTemplate[];
  clusterTemplates: AnalysisTemplate[];
}

/** `status.canary.current{Step,Background}AnalysisRunStatus`. */
export interface RunStatusRef {
  name: string;
  status: AnalysisPhase;
  message?: string;
}

type StatusField = 'currentStepAnalysisRunStatus' | 'currentBackgroundAnalysisRunStatus';

/** How the Rollout reacts to a run's phase. */
export type AnalysisReaction = { kind: 'abort'; message: string } | { kind: 'pause' };

/** What {@link planAnalysis} decided. */
export interface AnalysisPlan {
  /** Run creations and terminations (`spec.terminate: true`), in order. */
  effects: Write[];
  events: EventRecord[];
  reasons: string[];
  /** The phase of the current `analysis` step's run, when the step is one and its run is current. */
  stepRunPhase?: AnalysisPhase;
  reaction?: AnalysisReaction;
}

/** What a pass knows when it plans the runs. */
export interface AnalysisInput {
  rollout: Rollout;
  /** The status as this pass sees it; the two run fields are written into it. */
  status: RolloutStatus;
  newHash: string;
  /** The new ReplicaSet's `rollout.argoproj.io/revision`. */
  revision: string;
  analysis: ObservedAnalysis;
}

/** True when a Rollout uses analysis or names a run in its status (its runs and templates must be read). */
export function usesAnalysis(r: Rollout): boolean {
  const canary = r.spec.strategy?.canary;
  const c = r.status?.canary as Record<string, unknown> | undefined;
  return (
    canary?.['analysis'] !== undefined ||
    (canary?.steps ?? []).some((s) => s.analysis !== undefined) ||
    c?.['currentStepAnalysisRunStatus'] != null ||
    c?.['currentBackgroundAnalysisRunStatus'] != null
  );
}

/** Template lookup over what was read. */
export function templateLookup(a: ObservedAnalysis | undefined): TemplateLookup {
  return (name, cluster) =>
    (cluster ? a?.clusterTemplates : a?.templates)?.find((t) => t.metadata.name === name);
}

/** The run a status field names, when the Rollout owns it. */
function fieldRun(input: AnalysisInput, field: StatusField): AnalysisRun | undefined {
  const ref = input.status.canary?.[field] as RunStatusRef | undefined;
  return ref ? input.analysis.runs.find((x) => x.metadata.name === ref.name) : undefined;
}

interface Work extends AnalysisPlan {
  input: AnalysisInput;
  terminated: Set<string>;
  kept: Set<string>;
}

function terminate(w: Work, run: AnalysisRun | undefined, why: string): void {
  const name = run?.metadata.name;
  if (!run || !name || w.terminated.has(name)) return;
  w.terminated.add(name);
  if (isCompleted(run.status?.phase) || run.spec.terminate === true) return;
  w.effects.push({
    op: 'patch',
    target: { resource: 'analysisruns', namespace: w.input.rollout.metadata.namespace, name },
    patch: [{ op: 'add', path: '/spec/terminate', value: true }],
    reason: `terminate AnalysisRun ${name}: ${why}`,
  });
}

function setField(w: Work, field: StatusField, run: AnalysisRun | undefined, kind: string): void {
  const s = w.input.status;
  const before = w.input.rollout.status?.canary?.[field] as RunStatusRef | undefined;
  if (!run) {
    if (s.canary) delete s.canary[field];
    return;
  }
  const name = run.metadata.name ?? '';
  const phase = run.status?.phase ?? '';
  const ref: RunStatusRef = { name, status: phase };
  if (run.status?.message) ref.message = run.status.message;
  s.canary = { ...(s.canary ?? {}), [field]: ref };
  w.kept.add(name);
  phaseEvent(w, kind, ref, before);
}

/** `AnalysisRun<Phase>` on the Rollout when the recorded phase of the same (or a first) run changes. */
function phaseEvent(w: Work, kind: string, ref: RunStatusRef, before: RunStatusRef | undefined): void {
  if (ref.status === '' || (before && before.name !== ref.name) || before?.status === ref.status) return;
  w.events.push(runPhaseChanged(kind, ref.name, ref.status, before?.status as AnalysisPhase | undefined));
}

function needsNewRun(r: Rollout, current: AnalysisRun | undefined): boolean {
  if (!current) return true;
  const s = r.status ?? {};
  if (s.controllerPause === true) {
    const stepPause = (s.pauseConditions ?? []).some((c) => c.reason === 'CanaryPauseStep');
    return !stepPause && current.status?.phase === 'Inconclusive';
  }
  return s.abortedAt !== undefined;
}

function controllerUid(run: AnalysisRun): string | undefined {
  const refs = (run.metadata['ownerReferences'] ?? []) as { uid?: string; controller?: boolean }[];
  return refs.find((o) => o.controller)?.uid;
}

/** A run to adopt under the base name or the next free collision name to create (Argo's collision counter). */
function createRun(w: Work, group: AnalysisGroup, stepIndex?: number): AnalysisRun | undefined {
  const { rollout: r, newHash, revision, analysis } = w.input;
  const req: RunRequest = {
    rollout: r,
    group: { ...group, ...metadataOf(r, stepIndex) },
    lookup: templateLookup(analysis),
    podHash: newHash,
    stableHash: w.input.status.stableRS ?? '',
    revision,
    ...(stepIndex === undefined ? {} : { stepIndex }),
  };
  const spec = runSpec(req);
  const base = runBaseName(r.metadata.name, newHash, revision, stepIndex);
  if ('error' in spec) {
    w.reasons.push(`AnalysisRun ${base} cannot be created: ${spec.error}`);
    return undefined;
  }
  for (let n = 0; ; n++) {
    const name = collisionName(base, n);
    const existing = analysis.runs.find((x) => x.metadata.name === name);
    if (!existing) {
      const built = buildRolloutRun(req, name);
      if ('error' in built) return undefined;
      w.effects.push({
        op: 'create',
        target: { resource: 'analysisruns', namespace: r.metadata.namespace, name },
        body: built.run as never,
        reason: `create AnalysisRun ${name}`,
      });
      return built.run;
    }
    const adoptable =
      !isCompleted(existing.status?.phase) &&
      existing.spec.terminate !== true &&
      controllerUid(existing) === r.metadata.uid &&
      runSpecKey(existing.spec) === runSpecKey(spec.spec);
    if (adoptable) return existing;
  }
}

function metadataOf(r: Rollout, stepIndex?: number): { analysisRunMetadata?: object } {
  const canary = r.spec.strategy?.canary;
  const block = (stepIndex === undefined ? canary?.['analysis'] : canary?.steps?.[stepIndex]?.analysis) as
    { analysisRunMetadata?: object } | undefined;
  return block?.analysisRunMetadata ? { analysisRunMetadata: block.analysisRunMetadata } : {};
}

function react(w: Work, run: AnalysisRun, label: string): void {
  const phase = run.status?.phase;
  if (phase === 'Inconclusive') {
    w.reaction ??= { kind: 'pause' };
  } else if (phase === 'Failed' || phase === 'Error') {
    const message = run.status?.message;
    const text = `${label} analysis phase error/failed${message ? `: ${message}` : ''}`;
    if (w.reaction?.kind !== 'abort') w.reaction = { kind: 'abort', message: text };
  }
}

/** Keeps (or creates) the run and reacts to a current run's phase. */
function keepRun(
  w: Work,
  field: StatusField,
  run: AnalysisRun | undefined,
  current: AnalysisRun | undefined,
): void {
  const step = field === 'currentStepAnalysisRunStatus';
  if (run && run === current) react(w, run, step ? 'Step-based' : 'Background');
  setField(w, field, run, step ? 'Step' : 'Background');
  if (step && run) w.stepRunPhase = run === current ? (run.status?.phase ?? '') : '';
}

/** The step's group has templates and the current run (if any) was created for this step (`step-index`). */
function gates(group: AnalysisGroup, current: AnalysisRun | undefined, index: number): boolean {
  if (group.templates.length === 0) return false;
  return !current || current.metadata.labels?.[RUN_LABELS.stepIndex] === String(index);
}

/** Paused or aborted: the step run is kept as it is, with no reaction (Argo returns it untouched). */
function holdStepRun(w: Work, current: AnalysisRun | undefined, analysisStep: boolean): void {
  setField(w, 'currentStepAnalysisRunStatus', current, 'Step');
  if (current && analysisStep) w.stepRunPhase = current.status?.phase ?? '';
}

function stepRun(w: Work, groups: AnalysisGroup[]): void {
  const { rollout: r, status: s } = w.input;
  const field = 'currentStepAnalysisRunStatus';
  const current = fieldRun(w.input, field);
  const index = s.currentStepIndex ?? r.spec.strategy?.canary?.steps?.length ?? 0;
  const group = groups.find((g) => !g.background && g.path.endsWith(`.steps[${index}].analysis.templates`));
  if ((s.pauseConditions ?? []).length > 0 || s.abort === true) return holdStepRun(w, current, !!group);
  if (!group || !gates(group, current, index)) {
    terminate(w, current, 'the step it gates is over');
    setField(w, field, undefined, 'Step');
    return;
  }
  keepRun(w, field, needsNewRun(r, current) ? createRun(w, group, index) : current, current);
}

function backgroundRun(w: Work, groups: AnalysisGroup[]): void {
  const { rollout: r, status: s, newHash } = w.input;
  const current = fieldRun(w.input, 'currentBackgroundAnalysisRunStatus');
  const group = groups.find((g) => g.background);
  if (!group || group.templates.length === 0) {
    terminate(w, current, 'the Rollout has no background analysis');
    setField(w, 'currentBackgroundAnalysisRunStatus', undefined, 'Background');
    return;
  }
  if (s.stableRS === newHash || !s.stableRS || !s.currentPodHash || beforeStartingStep(r, s)) {
    setField(w, 'currentBackgroundAnalysisRunStatus', undefined, 'Background');
    return;
  }
  if ((s.pauseConditions ?? []).some((c) => c.reason === INCONCLUSIVE_PAUSE)) {
    setField(w, 'currentBackgroundAnalysisRunStatus', current, 'Background');
    return;
  }
  const fresh = needsNewRun(r, current);
  // A new run after an Inconclusive one was promoted: the controller's pause is over (Argo rebuilds it per pass).
  if (fresh && current && s.controllerPause === true && (s.pauseConditions ?? []).length === 0) {
    delete s.controllerPause;
  }
  keepRun(w, 'currentBackgroundAnalysisRunStatus', fresh ? createRun(w, group) : current, current);
}

/** Argo's `BeforeStartingStep`: steps exist, `startingStep` is set and the current index is below it. */
function beforeStartingStep(r: Rollout, s: RolloutStatus): boolean {
  const steps = r.spec.strategy?.canary?.steps ?? [];
  const starting = (r.spec.strategy?.canary?.['analysis'] as { startingStep?: number }).startingStep;
  return steps.length > 0 && starting !== undefined && (s.currentStepIndex ?? 0) < starting;
}

/**
 * Decides the Rollout's AnalysisRuns for one pass (see the module comment). `input.status` gets the two run fields;
 * the caller applies the reaction (abort, pause) and gates the `analysis` step on {@link AnalysisPlan.stepRunPhase}.
 */
export function planAnalysis(input: AnalysisInput): AnalysisPlan {
  const w: Work = { input, effects: [], events: [], reasons: [], terminated: new Set(), kept: new Set() };
  const { rollout: r, status: s, newHash } = input;
  const cancel = s.stableRS === newHash || s.abort === true || s.promoteFull === true || !s.stableRS;
  if (cancel) {
    for (const field of ['currentStepAnalysisRunStatus', 'currentBackgroundAnalysisRunStatus'] as const) {
      terminate(w, fieldRun(input, field), 'the update is promoted or aborted');
      setField(w, field, undefined, '');
    }
  } else {
    const groups = analysisGroups(r.spec.strategy?.canary);
    stepRun(w, groups);
    backgroundRun(w, groups);
  }
  for (const run of input.analysis.runs) {
    if (!w.kept.has(run.metadata.name ?? '')) terminate(w, run, 'no longer current');
  }
  if (s.canary && Object.keys(s.canary).length === 0) delete s.canary;
  const { effects, events, reasons, stepRunPhase, reaction } = w;
  return {
    effects,
    events,
    reasons,
    ...(stepRunPhase === undefined ? {} : { stepRunPhase }),
    ...(reaction ? { reaction } : {}),
  };
}
