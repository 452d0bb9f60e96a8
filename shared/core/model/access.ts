/**
 * Who may do what on the dashboard: the `access` rules of a cluster registry entry, their validation, and the role
 * a caller's identity claims give it on one namespace. Pure module.
 *
 * A rule grants `role` (`viewer`: read; `operator`: read and act) to every caller whose claim `claim` equals
 * `value` (or, for a list-valued claim such as `groups`, contains it), on the listed `namespaces` of the entry's
 * cluster, or on all of its namespaces when `namespaces` is absent. A caller no rule matches has no role there.
 *
 * @example
 * { "name": "eu-1", "source": "secret", "secretId": "...",
 *   "access": [{ "claim": "groups", "value": "shop-devs", "role": "operator", "namespaces": ["shop"] },
 *              { "claim": "groups", "value": "sre", "role": "viewer" }] }
 */

/** The roles, weakest first. */
export const ROLES = ['viewer', 'operator'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** One access rule of a cluster. */
export interface AccessRule {
  /** The claim name (`sub`, `email`, `groups`, `repository`, ...). */
  claim: string;
  /** The value the claim must equal (or, for a list, contain). */
  value: string;
  role: Role;
  /** Namespaces the rule covers; all of the cluster's when absent. */
  namespaces?: string[];
}

/** An `access` list is malformed; the message names the entry and field. */
export class AccessRuleError extends Error {
  override readonly name = 'AccessRuleError';
}

const CLAIM = /^[A-Za-z0-9_.:/-]{1,64}$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const FIELDS = new Set(['claim', 'value', 'role', 'namespaces']);

function parseNamespaces(raw: unknown, where: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new AccessRuleError(`${where}.namespaces must be a non-empty list of namespace names`);
  return raw.map((ns: unknown, i) => {
    if (typeof ns !== 'string' || !NAMESPACE.test(ns))
      throw new AccessRuleError(`${where}.namespaces[${i}] must be a namespace name (DNS label)`);
    return ns;
  });
}

function parseRule(raw: unknown, where: string): AccessRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AccessRuleError(`${where} must be an object`);
  const r = raw as Record<string, unknown>;
  const extra = Object.keys(r).find((k) => !FIELDS.has(k));
  if (extra !== undefined) throw new AccessRuleError(`${where}.${extra} is not a field of an access rule`);
  if (typeof r.claim !== 'string' || !CLAIM.test(r.claim))
    throw new AccessRuleError(`${where}.claim must be a claim name (1-64 of A-Z a-z 0-9 _ . : / -)`);
  if (typeof r.value !== 'string' || r.value === '' || r.value.length > 256)
    throw new AccessRuleError(`${where}.value must be a non-empty string of at most 256 characters`);
  if (!(ROLES as readonly unknown[]).includes(r.role))
    throw new AccessRuleError(`${where}.role must be one of ${ROLES.join(', ')}`);
  const rule: AccessRule = { claim: r.claim, value: r.value, role: r.role as Role };
  if (r.namespaces !== undefined) rule.namespaces = parseNamespaces(r.namespaces, where);
  return rule;
}

/**
 * Validates the `access` field of a registry entry (`where` names it in messages, e.g. `clusters[0].access`).
 * @throws {@link AccessRuleError} naming the rule and field.
 */
export function parseAccessRules(raw: unknown, where: string): AccessRule[] {
  if (!Array.isArray(raw)) throw new AccessRuleError(`${where} must be a list of access rules`);
  return raw.map((r: unknown, i) => parseRule(r, `${where}[${i}]`));
}

/** True when the claim equals `value`, or is a list holding it. */
function claimMatches(claim: unknown, value: string): boolean {
  if (typeof claim === 'string') return claim === value;
  return Array.isArray(claim) && claim.some((c) => c === value);
}

/**
 * The strongest role the rules give a caller with `claims` on `namespace`, or undefined when none matches.
 *
 * @example
 * roleFor(rules, { sub: 'alice', groups: ['shop-devs'] }, 'shop') // 'operator'
 */
export function roleFor(
  rules: readonly AccessRule[],
  claims: Readonly<Record<string, unknown>>,
  namespace: string,
): Role | undefined {
  let best = -1;
  for (const rule of rules) {
    if (rule.namespaces && !rule.namespaces.includes(namespace)) continue;
    if (!claimMatches(claims[rule.claim], rule.value)) continue;
    best = Math.max(best, ROLES.indexOf(rule.role));
  }
  return best < 0 ? undefined : ROLES[best];
}

/** True when `role` may do what `needed` may (an operator may view). */
export function allows(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
