/**
 * Kubernetes label-selector strings (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`), parsed
 * and matched as the API server does for `?labelSelector=`.
 */

/** One parsed requirement. */
export interface Requirement {
  key: string;
  operator: 'eq' | 'neq' | 'exists' | 'notexists' | 'in' | 'notin';
  values: string[];
}

/** A selector string that does not parse. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;

function parseTerm(term: string): Requirement {
  let m = new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\((.*)\\)$`).exec(term);
  if (m) {
    const values = (m[4] ?? '').split(',').map((v) => v.trim());
    if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v))) {
      throw new LabelSelectorError(`invalid label selector value in "${term}"`);
    }
    return { key: m[1] ?? '', operator: m[3] === 'in' ? 'in' : 'notin', values };
  }
  m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(term);
  if (m) return { key: m[1] ?? '', operator: m[3] === '!=' ? 'neq' : 'eq', values: [m[4] ?? ''] };
  m = new RegExp(`^(!?)\\s*(${KEY})$`).exec(term);
  if (m) return { key: m[2] ?? '', operator: m[1] === '!' ? 'notexists' : 'exists', values: [] };
  throw new LabelSelectorError(`unable to parse requirement: "${term}"`);
}

/**
 * Parses a selector string; the empty string selects everything.
 * @example parseLabelSelector('app=reviews,tier in (web,api),!canary')
 */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitTerms(selector).map(parseTerm);
}

function matchesOne(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'eq':
      return has && value === req.values[0];
    case 'neq':
      return !has || value !== req.values[0];
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notin':
      return !has || !req.values.includes(value ?? '');
  }
}

/** True when every requirement holds for the labels. */
export function matchesLabels(
  requirements: readonly Requirement[],
  labels: Record<string, string> = {},
): boolean {
  return requirements.every((req) => matchesOne(req, labels));
}
