/** Ordering HTTP routes by `trafficRouting.managedRoutes`. */
import { describe, expect, it } from '@jest/globals';
import { orderManagedRoutes, routeName } from '../../../../shared/core/istio/order.js';

describe('routeName', () => {
  it.each<{ route: unknown; want: string }>([
    { route: { name: 'primary' }, want: 'primary' },
    { route: { name: 7 }, want: '' },
    { route: {}, want: '' },
    { route: null, want: '' },
    { route: ['name'], want: '' },
    { route: 'primary', want: '' },
  ])('$route → "$want"', ({ route, want }) => {
    expect(routeName(route)).toBe(want);
  });
});

describe('orderManagedRoutes', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };
  const h1 = { name: 'header-1' };
  const m1 = { name: 'mirror-1' };
  const unnamed = { route: [] };
  it.each<{ case: string; http: unknown[]; managed: string[] | undefined; want: unknown[] }>([
    { case: 'no managed routes: unchanged', http: [a, b], managed: undefined, want: [a, b] },
    { case: 'empty managed routes: unchanged', http: [b, a], managed: [], want: [b, a] },
    {
      case: 'managed first, in managedRoutes order',
      http: [a, m1, h1],
      managed: ['header-1', 'mirror-1'],
      want: [h1, m1, a],
    },
    { case: 'others keep their order', http: [b, h1, a], managed: ['header-1'], want: [h1, b, a] },
    {
      case: 'unnamed routes kept once',
      http: [unnamed, h1, a],
      managed: ['header-1'],
      want: [h1, unnamed, a],
    },
    { case: 'managed name not present', http: [a, b], managed: ['header-1'], want: [a, b] },
  ])('$case', ({ http, managed, want }) => {
    expect(orderManagedRoutes(http, managed)).toEqual(want);
  });

  it('returns the same array when nothing is managed, a new one otherwise', () => {
    const http = [a, h1];
    expect(orderManagedRoutes(http, [])).toBe(http);
    expect(orderManagedRoutes(http, ['header-1'])).not.toBe(http);
    expect(http).toEqual([a, h1]);
  });
});
