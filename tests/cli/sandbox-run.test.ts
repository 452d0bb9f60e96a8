/**
 * `sluice run` with no cluster, as a person sees it: run in a pseudo-terminal (util-linux `script`), non-interactive
 * (`--auto-promote`), it must show the SIMULATION banner, canary weights rising 20 → 50 → 80 → 100, the analysis
 * passing, the promotion, Healthy, and exit 0 within a minute; with `--scenario bad-canary` the analysis measures
 * v2's failures, the run Fails, the Rollout aborts with Argo's message and Events, traffic returns to v1, exit 0.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

function runInPty(args: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'script',
      ['-qfec', `node_modules/.bin/node bin/sluice.mjs run ${args}`, '/dev/null'],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r/g, ''), ms: Date.now() - started });
    });
  });
}

describe('sluice run (sandbox) in a terminal', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runInPty('--auto-promote');
  }, 100_000);

  it('says plainly that it is a simulation and how to use a real cluster', () => {
    expect(run.output).toContain('SIMULATION');
    expect(run.output).toContain('npm start -- --kubeconfig ~/.kube/config');
  });

  it('prints the dashboard URL with its session token, and a read-only one', () => {
    expect(run.output).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\?token=[0-9a-f]{64}$/m);
    expect(run.output).toMatch(/^ {2}read-only: http:\/\/127\.0\.0\.1:\d+\/dashboard\?token=[0-9a-f]{64}$/m);
  });

  it('shows the canary weight rising 20 → 50 → 80 → 100 in that order', () => {
    const weights = [...run.output.matchAll(/canary weight (\d+)/g)].map((m) => Number(m[1]));
    const afterRelease = weights.slice(weights.indexOf(20) - 1);
    const distinct = afterRelease.filter((w, i) => i === 0 || w !== afterRelease[i - 1]);
    expect(distinct).toEqual([0, 20, 50, 80, 100]);
  });

  it('tells how to promote at the indefinite pause, then promotes', () => {
    expect(run.output).toMatch(/paused indefinitely/);
    expect(run.output).toMatch(/npx sluice promote default\/reviews/);
    expect(run.output).toMatch(/promoted \w+ to stable/);
  });

  it("shows the canary's analysis run passing before the weight goes to 50", () => {
    const passed = run.output.search(/\| analysis reviews-\w+-2-1 Successful, last \[1\] Successful$/m);
    expect(passed).toBeGreaterThan(0);
    expect(run.output.slice(0, passed)).not.toMatch(/canary weight 50/);
    expect(run.output).not.toMatch(/analysis reviews-\w+ (Failed|Error|Inconclusive)/);
  });

  it('ends Healthy with all traffic on the new version, exit code 0, in under a minute', () => {
    expect(run.output).toMatch(/traffic to (\w+) 100% of 200 \| RS \1 stable 4\/4.*\| Healthy/);
    expect(run.output).toContain('is Healthy: 100% of traffic on v2');
    expect(run.code).toBe(0);
    expect(run.ms).toBeLessThan(60_000);
  });
});

describe('sluice run --scenario bad-canary in a terminal', () => {
  const WHY = 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
  let run: Run;
  beforeAll(async () => {
    run = await runInPty('--auto-promote --scenario bad-canary');
  }, 100_000);

  it('says what the scenario does', () => {
    expect(run.output).toContain("Scenario bad-canary: 30% of v2's requests fail (5xx)");
  });

  it("the analysis measures v2's success rate below 0.95 and the run Fails", () => {
    const m = /\| analysis reviews-\w+-2-1 Failed, last \[([0-9.]+)\] Failed$/m.exec(run.output);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThan(0.95);
    expect(run.output).not.toMatch(/canary weight 50/);
  });

  it("aborts with Argo's message and Events, traffic back on v1, and exits 0 (the expected ending)", () => {
    const message = `Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${WHY}`;
    expect(run.output).toMatch(
      /Event AnalysisRunFailed: Step Analysis Run 'reviews-\w+-2-1' Status New: 'Failed' Previous: 'Running'/,
    );
    expect(run.output).toContain(`Event RolloutAborted: ${message}`);
    expect(run.output).toMatch(/canary weight 0 \(VS stable 100 \/ canary 0\).*\| Degraded/);
    expect(run.output).toContain(`was aborted (RolloutAborted: ${message}): all traffic back on v1`);
    expect(run.code).toBe(0);
    expect(run.ms).toBeLessThan(60_000);
  });
});
