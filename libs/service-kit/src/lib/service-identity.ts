import type { ServiceName } from '@chat/protocol';

/** Who this process is; handed to every module that needs to name itself. */
export interface ServiceIdentity {
  service: ServiceName;
  instanceId: string;
  startedAt: number;
}

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
