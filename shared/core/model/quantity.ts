/**
 * Kubernetes `resource.Quantity` as Go re-encodes it: `ParseQuantity` then `MarshalJSON` (k8s.io/apimachinery
 * v0.34). Argo Rollouts hashes the JSON of a decoded pod template, so a quantity is hashed in this form, not as
 * written: `0.5` → `500m`, `1000m` → `1`, `1024Mi` → `1Gi`; a text already in a canonical form is kept as written
 * (`+1`, `1e3`, `100m`). Exact arithmetic with BigInt (no floats). Pure module: no I/O imports.
 */

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A value `unscaled × 10^exp` in a format. */
interface Amount {
  unscaled: bigint;
  exp: number;
  format: Format;
}

/** The result of parsing: a text Go keeps as written, or an amount to print canonically. */
type Parsed = { text: string } | Amount;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MAX = (1n << 63n) - 1n;
const NANO = -9;

interface Split {
  positive: boolean;
  /** Sign, integer and fraction digits as written (Go's `value`). */
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** Go's `parseQuantityString`: sign, numerator (leading zeros stripped), denominator, suffix. */
function splitQuantity(str: string): Split | undefined {
  const m = /^([+-]?)(0*)(\d*)(?:\.(\d*))?(.*)$/s.exec(str);
  if (!m) return undefined;
  const [sign, zeros, digits, rest] = [m[1] ?? '', m[2] ?? '', m[3] ?? '', m[5] ?? ''];
  const denom = m[4];
  const positive = sign !== '-';
  if (digits === '' && denom === undefined && rest === '')
    return { positive, value: '0', num: '0', denom: '', suffix: '' };
  const value = `${sign}${zeros}${digits}${denom === undefined ? '' : `.${denom}`}`;
  if (!/^[eEinumkKMGTP]*[-+]?\d*$/.test(rest)) return undefined;
  return { positive, value, num: digits === '' ? '0' : digits, denom: denom ?? '', suffix: rest };
}

/** Go's `suffixer.interpret`: base, exponent and format of a suffix. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: Format } | undefined {
  if (suffix in DECIMAL_SUFFIXES)
    return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Number.isSafeInteger(exponent) && Math.abs(exponent) < 2 ** 31)
      return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/** `ParseQuantity`'s int64 fast path: an amount, a text kept as written, or undefined to take the exact path. */
function fastPath(str: string, s: Split, base: 2 | 10, exponent: number, format: Format): Parsed | undefined {
  let scale = 0;
  let mantissa = 1n;
  let precision: number;
  if (base === 10) {
    scale = exponent;
    precision = 18 - (s.num.length + s.denom.length);
  } else if (exponent >= 0 && s.denom.length === 0) {
    mantissa = 1n << BigInt(exponent);
    precision = 15 - s.num.length - Math.trunc((Math.fround(exponent) * 3) / 10) - 1;
  } else precision = -1;
  if (precision < 0) return undefined;
  scale -= s.denom.length;
  if (scale < NANO) return undefined;
  const shifted = s.num + s.denom;
  const value = BigInt(shifted);
  const product = value * mantissa;
  if (product > INT64_MAX) return undefined;
  const unscaled = s.positive ? product : -product;
  const canonical =
    format === 'BinarySI'
      ? (value & 7n) !== 0n
      : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return canonical ? { text: str } : { unscaled, exp: scale, format };
}

/** `ParseQuantity`'s exact path (inf.Dec): rounds a non-zero value up to a nano, caps binary values at int64. */
function exactPath(s: Split, base: 2 | 10, exponent: number, format: Format): Amount | undefined {
  const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(s.value);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
  let unscaled = BigInt(`${m[1]}${m[2] ?? ''}` || '0');
  let exp = -(m[2] ?? '').length;
  if (base === 10) exp += exponent;
  else unscaled <<= BigInt(exponent);
  if (unscaled !== 0n && exp < NANO) {
    const div = 10n ** BigInt(NANO - exp);
    unscaled = (unscaled + div - 1n) / div;
    exp = NANO;
  }
  const capped = format === 'BinarySI' ? capBinary({ unscaled, exp, format }) : { unscaled, exp, format };
  return { ...capped, unscaled: s.positive ? capped.unscaled : -capped.unscaled };
}

/** A binary amount is capped at the int64 maximum; one between 0 and 1 is printed as DecimalSI. */
function capBinary(a: Amount): Amount {
  const capped = compare(a, INT64_MAX) > 0 ? { ...a, unscaled: INT64_MAX, exp: 0 } : a;
  return capped.unscaled > 0n && compare(capped, 1n) < 0 ? { ...capped, format: 'DecimalSI' } : capped;
}

/** Sign of `a − n` for an amount and an integer. */
function compare(a: { unscaled: bigint; exp: number }, n: bigint): number {
  const [l, r] =
    a.exp >= 0 ? [a.unscaled * 10n ** BigInt(a.exp), n] : [a.unscaled, n * 10n ** BigInt(-a.exp)];
  return l === r ? 0 : l > r ? 1 : -1;
}

/** Go's `ParseQuantity` (after `UnmarshalJSON` trimmed the text); undefined where Go returns an error. */
function parseQuantity(str: string): Parsed | undefined {
  if (str.length === 0) return undefined;
  if (str === '0') return { text: '0' };
  const s = splitQuantity(str);
  if (!s) return undefined;
  const suffix = interpret(s.suffix);
  if (!suffix) return undefined;
  const { base, exponent, format } = suffix;
  return fastPath(str, s, base, exponent, format) ?? exactPath(s, base, exponent, format);
}

function stripFactors(n: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (n !== 0n && n % base === 0n) {
    n /= base;
    times++;
  }
  return [n, times];
}

/** `CanonicalizeBytes`: the number and suffix Go prints for an amount. */
function canonical(a: Amount): string {
  if (a.unscaled === 0n) return '0';
  let format = a.format;
  let integer: bigint | undefined;
  if (format === 'BinarySI') {
    const inRange = compare(a, -1024n) > 0 && compare(a, 1024n) < 0;
    const exact = a.exp >= 0 || a.unscaled % 10n ** BigInt(-a.exp) === 0n;
    if (inRange || !exact) format = 'DecimalSI';
    else integer = a.exp >= 0 ? a.unscaled * 10n ** BigInt(a.exp) : a.unscaled / 10n ** BigInt(-a.exp);
  }
  if (integer !== undefined) {
    const [n, times] = stripFactors(integer, 1024n);
    const suffix = Object.keys(BINARY_SUFFIXES).find((k) => BINARY_SUFFIXES[k] === times * 10) ?? '';
    return `${n}${suffix}`;
  }
  const [stripped, times] = stripFactors(a.unscaled, 10n);
  let n = stripped;
  let exp = a.exp + times;
  while (exp % 3 !== 0) {
    n *= 10n;
    exp--;
  }
  if (format === 'DecimalExponent') return exp === 0 ? `${n}` : `${n}e${exp}`;
  const suffix = Object.keys(DECIMAL_SUFFIXES).find((k) => DECIMAL_SUFFIXES[k] === exp) ?? '';
  return `${n}${suffix}`;
}

/**
 * The text Go writes for a `resource.Quantity` decoded from `raw` (a JSON string or number), or undefined where
 * Go's decoder fails (then Argo could not read the object at all).
 *
 * @example
 * canonicalQuantity('0.5') // '500m'
 * canonicalQuantity('1024Mi') // '1Gi'
 * canonicalQuantity('1e3') // '1e3' (already canonical: kept as written)
 */
export function canonicalQuantity(raw: string | number): string | undefined {
  const text = typeof raw === 'number' ? String(raw) : raw;
  const parsed = parseQuantity(text.trim());
  if (!parsed) return undefined;
  return 'text' in parsed ? parsed.text : canonical(parsed);
}
