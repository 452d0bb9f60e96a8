/**
 * `promote`: the signed HTTP API (operator actions and status) as a Lambda function. The request handling is the
 * runtime-neutral `shared/app/http-api/promote.ts`, which `sluice run` serves behind node:http; this file only turns
 * the API Gateway (payload 2.0) event into a request and the answer into the response.
 */
import type { MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createApiHandler } from '../../shared/app/http-api/promote.js';
import { rawBody } from '../../shared/app/http-api/request.js';
import type { HttpResponse } from '../../shared/app/http-api/response.js';
import { apiRequestOf } from '../../shared/runtimes/lambda/api-request.js';
import { apiDeps, type DepsProvider } from '../../shared/runtimes/lambda/deps.js';
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
      return (await api(apiRequestOf(event, body), log)).response;
    },
  );
}

export const handler = createPromoteHandler(defaultDeps);
