import { z } from 'zod';
import { UserIdSchema } from '@chat/protocol';

/** Format is checked when the token is parsed (a malformed token is an invalid one, 401, not a 400). */
export const RefreshTokenBodySchema = z
  .strictObject({ refreshToken: z.string().min(1).max(200).meta({ description: 'A refresh token from login or refresh: `<tokenId>.<secret>`.' }) })
  .meta({ id: 'RefreshTokenBody' });
export type RefreshTokenBody = z.output<typeof RefreshTokenBodySchema>;

/** What login and refresh answer. */
export const TokenPairSchema = z
  .strictObject({
    accessToken: z.string().meta({ description: 'HS256 JWT for the gateway and `GET /auth/me` (`Authorization: Bearer …`).' }),
    refreshToken: z.string().meta({ description: 'Opaque; single use: each refresh returns a new one and retires the old.' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().positive().meta({ description: 'Seconds the access token is valid for.', examples: [900] }),
    userId: UserIdSchema,
  })
  .meta({ id: 'TokenPair' });
export type TokenPair = z.output<typeof TokenPairSchema>;
