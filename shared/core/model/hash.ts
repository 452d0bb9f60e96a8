/**
 * Hashes Argo Rollouts writes into ReplicaSet names, labels and `status.currentStepHash`, computed as Argo computes
 * them, so a Rollout handed over from Argo (or back) keeps its ReplicaSets and its step.
 *
 * Both are FNV-1a 32-bit sums, printed in decimal and then "safe-encoded" character by character into
 * `bcdfghjklmnpqrstvwxz2456789` (Kubernetes' `rand.SafeEncodeString`: the alphabet has no vowels, so a hash never
 * spells a word, and no `0/1/3` that read like letters). Each decimal digit's character code modulo 27 selects
 * the letter, so digits 0–9 map to 4,5,6,7,8,9,b,c,d,f. Pure module: no I/O imports.
 */
import type { CanaryStep, Json, JsonObject } from './types.js';
import { goJsonString, goMarshal } from './go-json.js';
import { GO_STRUCTS, POD_TEMPLATE_SPEC } from './go-pod-template.generated.js';

export { goJsonString };

/** The safe-encoding alphabet of `k8s.io/apimachinery/pkg/util/rand`. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit over `bytes`, continuing from `hash` (default: the offset basis). */
export function fnv1a32(bytes: Uint8Array, hash = FNV_OFFSET): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h;
}

/** `rand.SafeEncodeString`: each character's code modulo 27 picks a letter of {@link SAFE_ALPHABET}. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level: the same value gives the same text in any process. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const utf8 = new TextEncoder();

/** FNV-1a 32 over `text`, then the collision-count bytes Argo appends, printed in decimal and safe-encoded. */
function hashWithCollision(text: string, collisionCount: number | undefined): string {
  let h = fnv1a32(utf8.encode(text));
  if (collisionCount !== undefined) {
    // binary.LittleEndian.PutUint32 into an 8-byte slice: the count, then 4 zero bytes.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(bytes, h);
  }
  return safeEncode(String(h));
}

/**
 * The `rollouts-pod-template-hash` of a pod template, byte-identical to Argo Rollouts' `ComputePodTemplateHash`:
 * FNV-1a 32 over Go's `encoding/json` of the template decoded into `corev1.PodTemplateSpec` ({@link goMarshal}
 * over the generated type table: Go field order, `omitempty`/`omitzero`, zero structs such as `resources: {}`,
 * canonical quantities, unknown fields dropped), then — when `collisionCount` is given — 8 more bytes (the count as
 * uint32 little-endian, then 4 zero bytes), printed in decimal and safe-encoded.
 *
 * A template Go could not decode (a field of the wrong type, a malformed quantity) has no Argo hash: Argo cannot
 * read such a Rollout at all. It gets {@link legacyPodTemplateHash} instead, so the value is still deterministic.
 *
 * @example
 * ```ts
 * podTemplateHash(rollout.spec.template!, rollout.status?.collisionCount) // e.g. "75746c87b5"
 * ```
 */
export function podTemplateHash(template: JsonObject, collisionCount?: number): string {
  const goJson = goMarshal(GO_STRUCTS, POD_TEMPLATE_SPEC, template);
  if (goJson === undefined) return legacyPodTemplateHash(template, collisionCount);
  return hashWithCollision(goJson, collisionCount);
}

/**
 * The pod-template hash sluice wrote before it computed Argo's: FNV-1a 32 over {@link canonicalJson} of the
 * template (keys sorted), with the same collision bytes and encoding. ReplicaSets created by those versions carry
 * it; the planner still finds them by it, so upgrading sluice starts no new revision.
 */
export function legacyPodTemplateHash(template: JsonObject, collisionCount?: number): string {
  return hashWithCollision(canonicalJson(template), collisionCount);
}

/**
 * `status.currentStepHash` (`ComputeStepHash`): FNV-1a 32 over the JSON of `spec.strategy.canary.steps`,
 * decimal, safe-encoded. The JSON is written the way Go's `encoding/json` writes Argo's `[]CanaryStep` (struct
 * field order, `omitempty`, `null` for no steps, `<>&` escaped), so for setWeight, pause, setCanaryScale,
 * setHeaderRoute and setMirrorRoute steps the hash equals the one Argo writes; a Rollout handed over from Argo
 * keeps its step position. Contents of analysis/experiment/plugin steps (unsupported) are written with sorted keys.
 */
export function stepsHash(steps: CanaryStep[] | undefined): string {
  return safeEncode(String(fnv1a32(utf8.encode(goStepsJson(steps)))));
}

type Field = [key: string, value: string | undefined];

function goObject(fields: Field[]): string {
  const parts = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${goJsonString(k)}:${v}`);
  return `{${parts.join(',')}}`;
}

function goAny(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return goJsonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => goAny(v) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return goObject(
      Object.keys(obj)
        .sort()
        .map((k) => [k, goAny(obj[k])]),
    );
  }
  return JSON.stringify(value);
}

/** A Go `string` field with `omitempty`. */
const optStr = (s: string | undefined): string | undefined => (s ? goJsonString(s) : undefined);

function goStringMatch(m: { exact?: string; prefix?: string; regex?: string } | undefined): string {
  if (m === undefined) return 'null';
  return goObject([
    ['exact', optStr(m.exact)],
    ['prefix', optStr(m.prefix)],
    ['regex', optStr(m.regex)],
  ]);
}

function goList<T>(items: T[] | undefined, render: (item: T) => string): string | undefined {
  return items && items.length > 0 ? `[${items.map(render).join(',')}]` : undefined;
}

function goStep(step: CanaryStep): string {
  const scale = step.setCanaryScale;
  const header = step.setHeaderRoute;
  const mirror = step.setMirrorRoute;
  return goObject([
    ['setWeight', goAny(step.setWeight)],
    ['pause', step.pause && goObject([['duration', goAny(step.pause.duration)]])],
    ['experiment', goAny(step.experiment)],
    ['analysis', goAny(step.analysis)],
    [
      'setCanaryScale',
      scale &&
        goObject([
          ['weight', goAny(scale.weight)],
          ['replicas', goAny(scale.replicas)],
          ['matchTrafficWeight', scale.matchTrafficWeight ? 'true' : undefined],
        ]),
    ],
    [
      'setHeaderRoute',
      header &&
        goObject([
          ['name', optStr(header.name)],
          [
            'match',
            goList(header.match, (m) =>
              goObject([
                ['headerName', goJsonString(m.headerName ?? '')],
                ['headerValue', goStringMatch(m.headerValue)],
              ]),
            ),
          ],
        ]),
    ],
    [
      'setMirrorRoute',
      mirror &&
        goObject([
          ['name', goJsonString(mirror.name ?? '')],
          ['match', goList(mirror.match, goRouteMatch)],
          ['percentage', goAny(mirror.percentage)],
        ]),
    ],
    ['plugin', goAny(step.plugin)],
  ]);
}

function goRouteMatch(m: NonNullable<NonNullable<CanaryStep['setMirrorRoute']>['match']>[number]): string {
  const headers = m.headers && Object.keys(m.headers).length > 0 ? m.headers : undefined;
  return goObject([
    ['method', m.method && goStringMatch(m.method)],
    ['path', m.path && goStringMatch(m.path)],
    [
      'headers',
      headers &&
        goObject(
          Object.keys(headers)
            .sort()
            .map((k) => [k, goStringMatch(headers[k])]),
        ),
    ],
  ]);
}

/** The JSON Go's `json.Marshal` produces for Argo's `[]CanaryStep` (see {@link stepsHash}). */
export function goStepsJson(steps: CanaryStep[] | undefined): string {
  if (steps === undefined) return 'null';
  return `[${steps.map(goStep).join(',')}]`;
}
