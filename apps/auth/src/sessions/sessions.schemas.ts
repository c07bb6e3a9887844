import { z } from 'zod';

/** Format is checked when the token is parsed (a malformed token is an invalid one, 401, not a 400). */
export const RefreshTokenBodySchema = z.strictObject({ refreshToken: z.string().min(1).max(200) });
export type RefreshTokenBody = z.output<typeof RefreshTokenBodySchema>;
