/**
 * The one logging port: every use case, the Lambda functions and `sluice run` log through a {@link Logger} with
 * levels. Fields given to {@link Logger.child} appear on every line (function name, request id, cluster, ...).
 *
 * Level rules: `debug` for what is routine and handled (conflicts re-read, stale events, expired watches),
 * `info` for what sluice did (a step applied, a drift corrected, an action accepted), `warn` where a human may
 * have to act (an Event not recorded, a watch failing), `error` for a failed invocation or a dropped event.
 *
 * Two implementations: {@link createLogger} writes JSON lines (CloudWatch Logs Insights can query every field),
 * {@link entryLogger} hands each entry, still structured, to a presenter (`sluice run`'s readable lines).
 */
/** Log levels, in increasing severity. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logging port. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** One entry at or above the logger's level, as a presenter receives it. */
export interface LogEntry {
  level: LogLevel;
  /** ISO timestamp. */
  time: string;
  msg: string;
  /** Fields bound with {@link Logger.child}, outermost first. */
  bound: LogFields;
  /** Fields of this line. */
  fields: LogFields;
}

/** Receives each {@link LogEntry}. */
export type EntrySink = (entry: LogEntry) => void;

/** Where JSON lines go (stdout for debug/info, stderr for warn/error by default); tests pass an array push. */
export type LogSink = (line: string, level: LogLevel) => void;

const defaultSink: LogSink = (line, level) => {
  if (level === 'warn' || level === 'error') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

/** Errors become `{name, message, code?}`; everything else is kept as is. */
export function serialiseFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      out[key] = { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** True when `level` is at or above `min`. */
export function levelEnabled(min: LogLevel, level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(min);
}

/**
 * A logger at `level` that hands each entry to `sink`.
 *
 * @example
 * const log = entryLogger('info', (e) => lines.push(`${e.level} ${e.msg}`)).child({ cluster: 'prod' });
 * log.debug('conflict: re-reading'); // dropped: below info
 */
export function entryLogger(
  level: LogLevel,
  sink: EntrySink,
  bound: LogFields = {},
  clock: () => Date = () => new Date(),
): Logger {
  const write =
    (at: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (levelEnabled(level, at)) sink({ level: at, time: clock().toISOString(), msg, bound, fields });
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => entryLogger(level, sink, { ...bound, ...fields }, clock),
  };
}

/** `{"level":…,"time":…,<bound fields>,"msg":…,<line fields>}` with errors serialised. */
export function jsonLine(entry: LogEntry): string {
  const { level, time, msg, bound, fields } = entry;
  return JSON.stringify({ level, time, ...bound, msg, ...serialiseFields(fields) });
}

/**
 * A JSON-lines logger at `level`.
 *
 * @example
 * const log = createLogger('info').child({ function: 'step' });
 * log.info('step done', { rollout: 'shop/reviews', writes: 2 });
 * // {"level":"info","time":"...","function":"step","msg":"step done","rollout":"shop/reviews","writes":2}
 */
export function createLogger(
  level: LogLevel,
  base: LogFields = {},
  sink: LogSink = defaultSink,
  clock: () => Date = () => new Date(),
): Logger {
  return entryLogger(level, (entry) => sink(jsonLine(entry), entry.level), base, clock);
}

/** A logger that drops everything (the default of use cases called without one). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
