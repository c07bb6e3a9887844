import type { z } from 'zod';
import { baseConfigSchema } from '@chat/service-kit';

export const routerConfigSchema = baseConfigSchema;

export type RouterConfig = z.infer<typeof routerConfigSchema>;
