/**
 * Per-invocation values the middlewares hand to the function body. middy passes the body `(event, context)`, so
 * they travel on the context, the way middy's own packages (`setToContext`) and Powertools do it. The caller's
 * context object may be shared by concurrent invocations (tests pass one constant), so each middleware adds its
 * values to a fresh object that inherits from the previous one instead of writing into the caller's object.
 */
import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * Replaces `request.context` with an object that inherits everything from it and adds `values`.
 *
 * @example
 * extendContext(request, { log }); // request.context.log === log; request.context.awsRequestId unchanged
 */
export function extendContext(request: Request<unknown, unknown, Error, Context>, values: object): void {
  request.context = Object.assign(Object.create(request.context) as Context, values);
}
