import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { accessTokenSettings, generateSigningKey, privateKeyPem, verifyAccessToken } from '@chat/auth-tokens';
import { AuthConfig } from '../config';
import type { OutboxPublisher } from '../outbox/outbox.publisher';
import type { StoredRole } from '../users/user.entity';
import { SessionIssuer } from './session-issuer';

/*
 * The role in an access token is decided each time one is issued (login, and every refresh through
 * RefreshSessionUseCase), from the configuration auth runs with and the role it stores.
 */
describe('SessionIssuer, the role of an access token', () => {
  const env = {
    KAFKA_BROKERS: 'localhost:9092',
    HTTP_PORT: '3001',
    DATABASE_URL: 'postgres://chat@localhost:5433/chat_auth',
    JWT_PRIVATE_KEY: privateKeyPem(generateSigningKey('k1').privateKey),
    JWT_KEY_ID: 'k1',
  };
  // issue() stores the refresh token through the caller's transaction; nothing else is read here.
  const manager = { insert: async () => undefined } as unknown as EntityManager;

  /** The role of a token auth, configured with `adminUsernames`, issues to `user`. */
  async function roleIssued(adminUsernames: string, user: { username: string; role: StoredRole }): Promise<string> {
    const config = AuthConfig.load({ ...env, ADMIN_USERNAMES: adminUsernames });
    const issuer = new SessionIssuer(config, {} as OutboxPublisher);
    const { pair } = await issuer.issue(manager, { id: randomUUID(), ...user }, randomUUID(), new Date());
    return verifyAccessToken(accessTokenSettings(config), pair.accessToken).role;
  }

  it('is admin while ADMIN_USERNAMES names the user (any case), and no longer on the next issue once the name is removed', async () => {
    const ann = { username: 'Ann_Ops', role: 'user' as const };
    expect(await roleIssued('bob,ann_ops', ann)).toBe('admin');
    // Auth restarted without the name: the next refresh (or login) gets a token without the role.
    expect(await roleIssued('bob', ann)).toBe('user');
    expect(await roleIssued('', ann)).toBe('user');
  });

  it('is admin for a stored role whatever ADMIN_USERNAMES says', async () => {
    expect(await roleIssued('', { username: 'granted', role: 'admin' })).toBe('admin');
  });
});
