/**
 * `sluice run`'s readable console lines fed from the one {@link Logger}: a logger whose entries become
 * {@link Say} lines instead of JSON. Warnings and errors are always printed (a human may have to act), as
 * `<prefix><message> (<kind>): <error or reason>`; debug and info only with `--verbose`, as `  <message> <fields as JSON>`.
 * A line goes to the `cluster` field's source when the entry has one, else to `source`.
 */
import { entryLogger, serialiseFields, type LogEntry, type Logger } from '../../app/logger.js';
import type { Say } from './log-lines.js';

/** Options of {@link sayLogger}. */
export interface SayLoggerOptions {
  /** Source of lines whose entry names no cluster. */
  source: string;
  /** Print debug and info entries too. */
  verbose: boolean;
  /** Put before warning and error messages (e.g. `watch: `). */
  prefix?: string;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The readable text of one entry. */
export function sayText(entry: LogEntry, prefix = ''): string {
  const { level, msg, fields } = entry;
  if (level === 'debug' || level === 'info') return `  ${msg} ${JSON.stringify(serialiseFields(fields))}`;
  const kind = fields.kind ? ` (${String(fields.kind)})` : '';
  const why = typeof fields.reason === 'string' ? `: ${fields.reason}` : '';
  const error = fields.error === undefined ? why : `: ${message(fields.error)}`;
  return `${prefix}${msg}${kind}${error}`;
}

/**
 * A logger printing through `say`.
 *
 * @example
 * const log = sayLogger(say, { source: 'watch', prefix: 'watch: ', verbose: false });
 * log.warn('watch failed, retrying', { cluster: 'prod', kind: 'VirtualService', error });
 * // say('prod', 'watch: watch failed, retrying (VirtualService): <error message>')
 */
export function sayLogger(say: Say, options: SayLoggerOptions): Logger {
  return entryLogger(options.verbose ? 'debug' : 'warn', (entry) => {
    const cluster = entry.fields.cluster ?? entry.bound.cluster;
    say(cluster === undefined ? options.source : String(cluster), sayText(entry, options.prefix));
  });
}
