import type { z } from 'zod';
import { baseConfigSchema } from '@chat/service-kit';

export const gatewayConfigSchema = baseConfigSchema;

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
