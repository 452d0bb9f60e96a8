/**
 * Argo Rollouts' own controller and kubectl plugin for the differential tests (tools/argo-rollouts/controller.ts),
 * pointed at the test cluster.
 */
import { startArgoController, type ArgoController } from '../../tools/argo-rollouts/controller.js';
import { clusterInfo } from '../support/cluster.js';

export { ARGO_VERSION, argoBinaries, type ArgoController } from '../../tools/argo-rollouts/controller.js';

/** Starts `rollouts-controller --namespaced --namespace <ns>` against the test cluster. */
export function startArgo(
  bin: string,
  namespace: string,
  ports: { metrics: number; healthz: number },
): ArgoController {
  return startArgoController(bin, clusterInfo().kubeconfigYaml, namespace, ports);
}
