/**
 * An API Gateway HTTP API (payload 2.0) event as the runtime-neutral HTTP API takes it: method, raw path, headers
 * (lower-case), the body's bytes, the query string, the claims the JWT authorizer verified (dashboard routes) and
 * the origin the request was addressed to (API Gateway's domain name).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lowerCaseHeaders, type ApiRequest } from '../../app/http-api/promote.js';

/** The request of `event`, whose body was already read and size-checked. */
export function apiRequestOf(event: APIGatewayProxyEventV2, body: Buffer): ApiRequest {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
  const claims = context?.authorizer?.jwt?.claims;
  return {
    method: context?.http?.method ?? '',
    path: event.rawPath ?? '',
    headers: lowerCaseHeaders(event.headers),
    body,
    ...(event.rawQueryString ? { query: event.rawQueryString } : {}),
    ...(claims ? { claims } : {}),
    ...(context?.domainName ? { selfOrigin: `https://${context.domainName}` } : {}),
  };
}
