import { describe, expect, it } from '@jest/globals';
import { sayLogger } from '../../../../shared/runtimes/local/say-logger.js';

function said(verbose: boolean, prefix?: string) {
  const out: [string, string][] = [];
  const log = sayLogger((source, text) => out.push([source, text]), {
    source: 'watch',
    verbose,
    ...(prefix === undefined ? {} : { prefix }),
  });
  return { log, out };
}

describe('sayLogger: the readable lines of sluice run from the one logger', () => {
  it('without --verbose prints only warnings and errors, on the cluster named by the entry', () => {
    const { log, out } = said(false, 'watch: ');
    log.debug('watch expired, relisting', { cluster: 'prod', kind: 'VirtualService' });
    log.info('drift reported', { cluster: 'prod' });
    log.warn('watch failed, retrying', { cluster: 'prod', kind: 'Service', error: new Error('forbidden') });
    log.error('no cluster field');
    expect(out).toEqual([
      ['prod', 'watch: watch failed, retrying (Service): forbidden'],
      ['watch', 'watch: no cluster field'],
    ]);
  });

  it('with --verbose prints debug and info as message + fields, errors serialised', () => {
    const { log, out } = said(true);
    const child = log.child({ cluster: 'east' });
    child.debug('conflict: re-reading and re-planning', { attempt: 2 });
    child.info('applied', { error: new Error('x') });
    expect(out).toEqual([
      ['east', '  conflict: re-reading and re-planning {"attempt":2}'],
      ['east', '  applied {"error":{"name":"Error","message":"x"}}'],
    ]);
  });
});
