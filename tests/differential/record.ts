/**
 * Records every version of the objects of one namespace (Rollouts, ReplicaSets, Services, VirtualServices,
 * DestinationRules, and the Deployments a workloadRef names) through watches, as the API server sends them, and which of them were deleted.
 */
import type { KubeGateway, WatchHandle } from '../../shared/app/kube-port/gateway.js';
import type { ResourceName } from '../../shared/core/engine/types.js';
import type { KubeObject } from '../../shared/core/model/types.js';

/** The kinds recorded. */
export const RECORDED: ResourceName[] = [
  'rollouts',
  'replicasets',
  'services',
  'virtualservices',
  'destinationrules',
  'deployments',
];

/** One recorded object version. */
export interface Version {
  resource: ResourceName;
  name: string;
  object: KubeObject;
}

/** Every version seen in one namespace, in arrival order per object. */
export class NamespaceRecorder {
  readonly versions: Version[] = [];
  /** `resource/name` of the objects deleted since their last version (a ReplicaSet beyond the revision limit). */
  private readonly deleted = new Set<string>();
  private handles: WatchHandle[] = [];
  constructor(
    private readonly gw: KubeGateway,
    readonly ns: string,
  ) {}

  async start(): Promise<void> {
    for (const resource of RECORDED) {
      const list = await this.gw.list(resource, this.ns);
      for (const object of list.items) this.versions.push({ resource, name: object.metadata.name, object });
      this.handles.push(
        this.gw.watch(resource, this.ns, list.resourceVersion, (ev) => {
          const key = `${resource}/${ev.object.metadata.name}`;
          if (ev.type === 'DELETED') this.deleted.add(key);
          if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
          this.deleted.delete(key);
          this.versions.push({ resource, name: ev.object.metadata.name, object: ev.object });
        }),
      );
    }
  }

  /** The latest version of each object that still exists (so the set of ReplicaSets left is compared too). */
  latest(): Version[] {
    const byKey = new Map<string, Version>();
    for (const v of this.versions) byKey.set(`${v.resource}/${v.name}`, v);
    for (const key of this.deleted) byKey.delete(key);
    return [...byKey.values()];
  }

  stop(): void {
    for (const h of this.handles) h.stop();
  }
}
