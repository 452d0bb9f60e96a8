/**
 * Command-line parsing shared by the sluice commands: `<ns>/<name>` references and common flags.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad usage: exit code 2 with this one-line message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Output sinks (injectable for tests). */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Flags every cluster command accepts. */
export const CLUSTER_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'allow-loopback-http': { type: 'boolean' },
  'istio-kubeconfig': { type: 'string' },
  'istio-context': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Parses `<ns>/<name>`; throws UsageError naming the problem. */
export function parseRef(ref: string | undefined): { namespace: string; name: string } {
  if (!ref) throw new UsageError('missing <namespace>/<name> of the Rollout');
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(ref);
  if (!m) throw new UsageError(`"${ref}" is not <namespace>/<name> (lower-case DNS names)`);
  return { namespace: m[1] as string, name: m[3] as string };
}

/** Parses a non-negative integer flag; throws UsageError. */
export function parseStep(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** `parseArgs` with strict checking, turning its errors into UsageError. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
): {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (err) {
    throw new UsageError(err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err));
  }
}
