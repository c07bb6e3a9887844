import { parsePrivateKey, type AccessTokenSigning } from '@chat/auth-tokens';
import { e2e } from './environment';

/** What the suite's auth signs with (JWT_ISSUER / JWT_AUDIENCE at their defaults): tests mint tokens the gateways accept. */
export function suiteTokenSigning(): AccessTokenSigning {
  const keys = e2e.jwtKeys;
  return { signingKey: { kid: keys.keyId, privateKey: parsePrivateKey(keys.privateKeyPem) }, issuer: 'chat-auth', audience: 'chat' };
}
