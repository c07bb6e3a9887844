import type { ServiceName } from '@chat/protocol';
import type { BaseConfig } from './config';

/** Who this process is; handed to every module that needs to name itself. */
export interface ServiceIdentity {
  service: ServiceName;
  instanceId: string;
  startedAt: number;
}

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
/** The service's validated configuration (its own schema's output). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export type { BaseConfig };
