/** Ordering of HTTP routes by `trafficRouting.managedRoutes`. Pure. */
import { isJsonObject } from '../model/json.js';

/** The `name` of a raw HTTP route, `''` when absent or not a string. */
export function routeName(route: unknown): string {
  return isJsonObject(route) && typeof route['name'] === 'string' ? route['name'] : '';
}

/**
 * HTTP routes with the managed ones first, in `managedRoutes` order, then every other route in its original
 * order (unnamed routes included, each exactly once). Returns the same array when `managedRoutes` is empty.
 */
export function orderManagedRoutes(http: unknown[], managedRoutes: string[] | undefined): unknown[] {
  if (!managedRoutes || managedRoutes.length === 0) return http;
  const managed = new Set(managedRoutes);
  const first = managedRoutes.flatMap((name) => http.filter((route) => routeName(route) === name));
  const rest = http.filter((route) => !managed.has(routeName(route)));
  return [...first, ...rest];
}
