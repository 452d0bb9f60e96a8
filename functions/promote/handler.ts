/**
 * `promote`: the signed HTTP API (operator actions and status) as a Lambda function. The request handling is the
 * runtime-neutral `shared/app/http-api/promote.ts`, which `sluice run` serves behind node:http; this file only turns
 * the API Gateway (payload 2.0) event into a request and the answer into the response. Behind a named stage or a
 * custom-domain base path, routes are matched on the path after it (`shared/runtimes/lambda/http-path.ts`).
 */
import type { MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createApiHandler } from '../../shared/app/http-api/promote.js';
import { rawBody } from '../../shared/app/http-api/request.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { apiRequestOf } from '../../shared/runtimes/lambda/api-request.js';
import { apiDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
import { routePath } from '../../shared/runtimes/lambda/http-path.js';
import { lambdaHandler, type HandlerOptions } from '../../shared/runtimes/lambda/middleware.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

/** The promote function over the given dependencies. */
export function createPromoteHandler(
  deps: DepsProvider,
  options: Partial<HandlerOptions> = {},
): MiddyfiedHandler<APIGatewayProxyEventV2, HttpResponse> {
  const api = createApiHandler(async () => apiDeps(await deps()));
  return lambdaHandler<APIGatewayProxyEventV2, HttpResponse>(
    { ...options, name: 'promote', http: true },
    async (event, { log }) => {
      // An oversized body is an HttpError (413), answered by the wrapper's error mapping.
      const body = rawBody(event);
      // Signed: the path as sent; routed: what follows a named stage or custom-domain base path.
      const route = routePath(event, (await deps()).config.apiBasePath);
      return (await api({ ...apiRequestOf(event, body), routePath: route }, log)).response;
    },
  );
}

export const handler = createPromoteHandler(defaultDeps);
