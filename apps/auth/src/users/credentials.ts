import { z } from 'zod';
import { UserIdSchema, UsernameSchema } from '@chat/protocol';

export const PASSWORD_MIN_CHARS = 10;
/** Longer passwords are refused rather than hashed: it bounds what one request can cost us. */
export const PASSWORD_MAX_CHARS = 256;

/** A password chosen at registration. */
export const NewPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_CHARS, `must be at least ${PASSWORD_MIN_CHARS} characters`)
  .max(PASSWORD_MAX_CHARS, `must be at most ${PASSWORD_MAX_CHARS} characters`);

/** A password presented at login: no minimum (old rules may have allowed shorter), same maximum. */
export const PresentedPasswordSchema = z
  .string()
  .min(1, 'is required')
  .max(PASSWORD_MAX_CHARS, `must be at most ${PASSWORD_MAX_CHARS} characters`);

// The request bodies of the REST API. Their `meta` is documentation only: the OpenAPI document's
// schemas are generated from these (Nest's `@Body({ schema })`, zod's JSON Schema).

export const RegisterBodySchema = z
  .strictObject({
    username: UsernameSchema.meta({ description: 'Unique case-insensitively; shown as typed.', examples: ['ann.lee'] }),
    password: NewPasswordSchema.meta({ format: 'password', examples: ['correct horse battery'] }),
  })
  .meta({ id: 'RegisterBody' });
export type RegisterBody = z.output<typeof RegisterBodySchema>;

export const LoginBodySchema = z
  .strictObject({
    username: UsernameSchema.meta({ description: 'Case-insensitive.', examples: ['ann.lee'] }),
    password: PresentedPasswordSchema.meta({ format: 'password' }),
  })
  .meta({ id: 'LoginBody' });
export type LoginBody = z.output<typeof LoginBodySchema>;

/** A user as the API shows one: registration's answer and `GET /auth/me`. */
export const UserSchema = z
  .strictObject({ userId: UserIdSchema, username: UsernameSchema.meta({ examples: ['ann.lee'] }) })
  .meta({ id: 'User' });
export type User = z.output<typeof UserSchema>;

/** The case-insensitive identity of a username (usernames are ASCII, so lowercasing is exact). */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}
