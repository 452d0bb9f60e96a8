/** VirtualServices from Argo Rollouts' istio_test.go, as YAML text (http/tls/tcp with two routes, single routes). */

const head = (apiVersion = 'networking.istio.io/v1alpha3'): string => `apiVersion: ${apiVersion}
kind: VirtualService
metadata:
  name: vsvc
  namespace: default
spec:
  gateways:
  - istio-rollout-gateway
  hosts:
  - istio-rollout.dev.argoproj.io
`;

const dests = (indent: string, stable = 'stable', canary = 'canary'): string =>
  `${indent}route:
${indent}- destination:
${indent}    host: ${stable}
${indent}  weight: 100
${indent}- destination:
${indent}    host: ${canary}
${indent}  weight: 0
`;

const http2 = `  http:
  - name: primary
${dests('    ')}  - name: secondary
${dests('    ')}`;
const portRoutes = (section: 'tls' | 'tcp', ports: number[]): string =>
  `  ${section}:
${ports.map((p) => `  - match:\n    - port: ${p}\n${dests('    ')}`).join('')}`;

/** http primary + secondary, each stable 100 / canary 0. */
export const regularVsvc = (apiVersion?: string): string => head(apiVersion) + http2;
export const regularTlsVsvc = head() + portRoutes('tls', [3000, 3001]);
export const regularTcpVsvc = head() + portRoutes('tcp', [3000, 3001]);
export const regularMixedVsvc =
  head() + http2 + portRoutes('tls', [3000, 3001]) + portRoutes('tcp', [3000, 3001]);
export const pingPongVsvc =
  head() +
  `  http:
  - name: primary
${dests('    ', 'ping', 'pong')}`;
export const singleRouteVsvc = head() + `  http:\n  -${dests('    ').slice(3)}`;
export const singleRouteTlsVsvc = head() + portRoutes('tls', [3000]);
export const singleRouteTcpVsvc = head() + portRoutes('tcp', [3000]);
export const singleRouteMixedVsvc = singleRouteVsvc + portRoutes('tls', [3000]) + portRoutes('tcp', [3000]);
export const regularMixedVsvcTwoHttpRoutes = head() + http2 + portRoutes('tls', [3000]);
export const regularMixedVsvcTwoTlsRoutes =
  head() + `  http:\n  - name: primary\n${dests('    ')}` + portRoutes('tls', [3000, 3001]);
export const regularMixedVsvcTwoTcpRoutes =
  head() +
  `  http:\n  - name: primary\n${dests('    ')}` +
  portRoutes('tls', [3000]) +
  portRoutes('tcp', [3000, 3001]);
