import { describe, expect, it } from '@jest/globals';
import { printable, stamped } from '../../../../shared/runtimes/local/log-lines.js';
import { sayLogger } from '../../../../shared/runtimes/local/say-logger.js';

const NOW = new Date('2026-01-01T00:00:00.000Z');
/** No byte that a terminal acts on: C0 but tab, DEL, C1, bidi overrides. */
const inert = (line: string): boolean =>
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(line);

describe('printable: names and messages cannot forge lines in sluice run output', () => {
  it.each([
    [
      'reviews\x1b[2K\r2026-01-01T00:00:00.000Z  http  forged',
      'reviews\\x1b[2K\\r2026-01-01T00:00:00.000Z  http  forged',
    ],
    ['a\nb', 'a\\nb'],
    ['bell\x07 del\x7f c1\x9b', 'bell\\x07 del\\x7f c1\\x9b'],
    ['evil\u202eexe.txt', 'evil\\u202eexe.txt'],
    ['tab\tand plain ünïcödé', 'tab\tand plain ünïcödé'],
  ])('%j prints as %j', (text, shown) => {
    expect(printable(text)).toBe(shown);
  });

  it("keeps newlines only when asked (the CLI's own multi-line texts), escaping the rest", () => {
    expect(printable('usage:\n  \x1b[31mred', true)).toBe('usage:\n  \\x1b[31mred');
  });

  it('a route name with escape codes in a warning through the say logger stays on its one stamped line', () => {
    const lines: string[] = [];
    const log = sayLogger((source, text) => lines.push(stamped(NOW, source, text)), {
      source: 'watch',
      verbose: false,
    });
    const route = 'canary\r\x1b[1A2026-01-01T00:00:00.000Z  prod  shop/reviews: promoted\n';
    log.warn('route not found', { cluster: 'prod\x1b[0m', reason: `no route ${route}` });
    expect(lines).toEqual([
      '2026-01-01T00:00:00.000Z  prod\\x1b[0m  route not found: no route canary\\r\\x1b[1A2026-01-01T00:00:00.000Z  prod  shop/reviews: promoted\\n',
    ]);
    expect(lines.every(inert)).toBe(true);
  });
});
