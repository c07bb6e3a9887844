import type { ServiceName } from '@chat/protocol';

export interface InstanceView {
  service: ServiceName;
  instanceId: string;
  startedAt: number;
  lastHeartbeatAt: number;
  ready: boolean;
  /** No heartbeat for longer than the allowed number of the instance's own intervals. */
  missing: boolean;
}

interface Entry {
  service: ServiceName;
  instanceId: string;
  startedAt: number;
  intervalMs: number;
  lastHeartbeatAt: number;
  ready: boolean;
}

/** Every instance that ever sent a heartbeat, with whether it is still reporting. */
export class InstanceRegistry {
  private readonly instances = new Map<string, Entry>();

  constructor(private readonly missedBeforeMissing: number) {}

  record(heartbeat: Omit<Entry, 'lastHeartbeatAt'>, at: number): void {
    const previous = this.instances.get(heartbeat.instanceId);
    // Records can arrive late or twice (at-least-once); never move an instance back in time.
    if (previous && previous.lastHeartbeatAt > at) return;
    this.instances.set(heartbeat.instanceId, { ...heartbeat, lastHeartbeatAt: at });
  }

  list(now: number): InstanceView[] {
    return [...this.instances.values()]
      .map(({ intervalMs, ...entry }) => ({ ...entry, missing: now - entry.lastHeartbeatAt > intervalMs * this.missedBeforeMissing }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId));
  }
}
