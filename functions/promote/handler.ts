/**
 * `promote`: the signed HTTP API (operator actions and status) as a Lambda function. The request handling lives in
 * `shared/app/http-api/promote.ts`, shared with the local control plane (`sluice run`).
 */
import { createPromoteHandler } from '../../shared/app/http-api/promote.js';
import { defaultDeps } from '../../shared/runtimes/lambda/wiring.js';

export { createPromoteHandler };

export const handler = createPromoteHandler(defaultDeps);
