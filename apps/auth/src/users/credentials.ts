import { z } from 'zod';
import { UsernameSchema } from '@chat/protocol';

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

export const RegisterBodySchema = z.strictObject({ username: UsernameSchema, password: NewPasswordSchema });
export type RegisterBody = z.output<typeof RegisterBodySchema>;

export const LoginBodySchema = z.strictObject({ username: UsernameSchema, password: PresentedPasswordSchema });
export type LoginBody = z.output<typeof LoginBodySchema>;

/** The case-insensitive identity of a username (usernames are ASCII, so lowercasing is exact). */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}
