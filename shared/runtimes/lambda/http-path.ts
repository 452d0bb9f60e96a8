/**
 * Where the HTTP API's routes start in a request path. API Gateway hands the function the path as the client sent
 * it (`rawPath`): behind a named stage it starts with `/<stage>`, behind a custom domain's API mapping with the
 * mapping's base path. Routes are matched on what follows; the signature covers the path as sent.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The route part of the request path: `rawPath` without the named stage (`requestContext.stage`, unless
 * `$default`) and without `basePath`, each removed only when the path starts with it.
 *
 * @example
 * routePath({ rawPath: '/sluice/v1/clusters/a/namespaces/b/rollouts/c', ... }, 'sluice'); // '/v1/clusters/a/...'
 */
export function routePath(event: APIGatewayProxyEventV2, basePath?: string): string {
  let path = event.rawPath ?? '';
  for (const prefix of [basePath, event.requestContext?.stage]) {
    if (!prefix || prefix === '$default') continue;
    const p = `/${prefix.replace(/^\/+|\/+$/g, '')}`;
    if (path === p) path = '/';
    else if (path.startsWith(`${p}/`)) path = path.slice(p.length);
  }
  return path;
}
