/**
 * Structured JSON logger for the functions: one line per entry on stdout/stderr, so CloudWatch Logs Insights can
 * query every field. Fields given to {@link Logger.child} appear on every line (function name, request id, ...).
 */
/** Log levels, in increasing severity. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Where lines go (stdout for debug/info, stderr for warn/error by default); tests pass an array push. */
export type LogSink = (line: string, level: LogLevel) => void;

const defaultSink: LogSink = (line, level) => {
  if (level === 'warn' || level === 'error') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

/** Errors become `{name, message, code?}`; everything else is kept as is. */
function serialise(fields: LogFields): LogFields {
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
  const min = LOG_LEVELS.indexOf(level);
  const write =
    (at: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(at) < min) return;
      const line = { level: at, time: clock().toISOString(), ...base, msg: message, ...serialise(fields) };
      sink(JSON.stringify(line), at);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink, clock),
  };
}

/** Adapts a {@link Logger} to the use cases' `(message, fields) => void` log function (info level). */
export function useCaseLog(log: Logger): (message: string, fields?: LogFields) => void {
  return (message, fields) => log.info(message, fields);
}
