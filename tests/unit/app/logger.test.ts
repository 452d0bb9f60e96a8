import { describe, expect, it } from '@jest/globals';
import {
  createLogger,
  entryLogger,
  levelEnabled,
  LOG_LEVELS,
  silentLogger,
  type LogEntry,
  type LogLevel,
} from '../../../shared/app/logger.js';

const clock = () => new Date('2026-01-01T00:00:00.000Z');

function lines(level: LogLevel): { log: ReturnType<typeof createLogger>; out: [string, LogLevel][] } {
  const out: [string, LogLevel][] = [];
  return { log: createLogger(level, { function: 'step' }, (line, at) => out.push([line, at]), clock), out };
}

describe('logger levels', () => {
  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as [LogLevel, LogLevel[]][])('at %s, writes %j', (level, written) => {
    const { log, out } = lines(level);
    for (const at of LOG_LEVELS) log[at](`${at} line`);
    expect(out.map(([, at]) => at)).toEqual(written);
    expect(out.map(([line]) => (JSON.parse(line) as { msg: string }).msg)).toEqual(
      written.map((at) => `${at} line`),
    );
  });

  it.each([
    ['debug', 'debug', true],
    ['debug', 'info', false],
    ['error', 'warn', true],
    ['warn', 'error', false],
  ] as [LogLevel, LogLevel, boolean][])('levelEnabled(%s line, min %s) is %s', (line, min, expected) => {
    expect(levelEnabled(min, line)).toBe(expected);
  });
});

describe('JSON lines', () => {
  it('puts level, time and bound fields first, then msg and the line fields; errors become name/message/code', () => {
    const { log, out } = lines('info');
    const err = Object.assign(new Error('conflict'), { code: 409 });
    log.child({ requestId: 'r1' }).warn('event not recorded', { error: err, rollout: 'shop/reviews' });
    expect(out).toEqual([
      [
        JSON.stringify({
          level: 'warn',
          time: '2026-01-01T00:00:00.000Z',
          function: 'step',
          requestId: 'r1',
          msg: 'event not recorded',
          error: { name: 'Error', message: 'conflict', code: 409 },
          rollout: 'shop/reviews',
        }),
        'warn',
      ],
    ]);
  });

  it('a child keeps the parent level and adds its fields without changing the parent', () => {
    const { log, out } = lines('warn');
    const child = log.child({ cluster: 'prod' });
    child.info('dropped');
    child.error('kept');
    log.error('parent');
    expect(out.map(([line]) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ msg: 'kept', cluster: 'prod' }),
      expect.not.objectContaining({ cluster: 'prod' }),
    ]);
  });
});

describe('entryLogger', () => {
  it('hands structured entries (bound and line fields apart) to the sink', () => {
    const entries: LogEntry[] = [];
    const log = entryLogger('debug', (e) => entries.push(e), {}, clock).child({ cluster: 'prod' });
    const error = new Error('gone');
    log.debug('watch expired, relisting', { kind: 'VirtualService', error });
    expect(entries).toEqual([
      {
        level: 'debug',
        time: '2026-01-01T00:00:00.000Z',
        msg: 'watch expired, relisting',
        bound: { cluster: 'prod' },
        fields: { kind: 'VirtualService', error },
      },
    ]);
  });

  it('silentLogger drops everything, its children too', () => {
    expect(() => silentLogger.child({ a: 1 }).error('x')).not.toThrow();
    expect(silentLogger.child({})).toBe(silentLogger);
  });
});
