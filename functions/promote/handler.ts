/**
 * `promote`: the signed HTTP API (operator actions and status) as a Lambda function. The request handling lives in
 * `shared/lambda/promote-api.ts`, shared with the local control plane (`sluice run`).
 */
import { createPromoteHandler } from '../../shared/lambda/promote-api.js';
import { defaultDeps } from '../../shared/lambda/wiring.js';

export { createPromoteHandler };

export const handler = createPromoteHandler(defaultDeps);
