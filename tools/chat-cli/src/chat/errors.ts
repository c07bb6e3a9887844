import { AuthError, ChatRequestError, ConnectionClosedError, RequestTimeoutError } from '@chat/client-sdk';
import { CommandError } from './commands';

/** A failure the user caused or can act on; its message is the whole story (no stack trace). */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface FailureContext {
  /** The conversation the command was about, by name. */
  conversation?: string;
  authUrl?: string;
  gatewayUrl?: string;
}

/** The server's own words of a ChatRequestError (`send failed: not_member: …` → `…`). */
function serverMessage(error: ChatRequestError): string {
  const marker = `${error.code}: `;
  const at = error.message.indexOf(marker);
  return at === -1 ? error.message : error.message.slice(at + marker.length);
}

/** Any failure as a code and a sentence for the user. */
export function describeFailure(error: unknown, context: FailureContext = {}): { code: string; message: string } {
  if (error instanceof CliError) return { code: error.code, message: error.message };
  if (error instanceof CommandError) return { code: 'usage', message: error.message };
  if (error instanceof ChatRequestError) {
    const where = context.conversation ?? 'that conversation';
    switch (error.code) {
      case 'not_member':
        return { code: error.code, message: `you are not a member of ${where}` };
      case 'forbidden':
        return { code: error.code, message: `not allowed: ${serverMessage(error)}` };
      case 'rate_limited':
        return { code: error.code, message: 'too many requests at once; wait a moment and try again' };
      case 'unavailable':
        return { code: error.code, message: 'the server could not take the request just now; try again' };
      default:
        return { code: error.code, message: serverMessage(error) };
    }
  }
  if (error instanceof RequestTimeoutError) return { code: 'timeout', message: `no answer from the server within ${Math.round(error.timeoutMs / 1000)} s (${error.requestType})` };
  if (error instanceof ConnectionClosedError) return { code: 'disconnected', message: `not connected to the gateway${context.gatewayUrl ? ` at ${context.gatewayUrl}` : ''}: ${error.message}` };
  if (error instanceof AuthError) return describeAuthError(error, context.authUrl);
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

function describeAuthError(error: AuthError, authUrl: string | undefined): { code: string; message: string } {
  const detail = error.message.replace(/^\d+ [a-z_0-9]+: /, '');
  switch (error.code) {
    case 'invalid_credentials':
      return { code: error.code, message: 'wrong username or password' };
    case 'username_taken':
      return { code: error.code, message: `that username is taken; log in with: chat-cli login <username>` };
    case 'account_disabled':
      return { code: error.code, message: 'this account is disabled; ask an operator' };
    case 'invalid_refresh_token':
    case 'refresh_token_reused':
      return { code: 'session_ended', message: 'the saved session has ended (logged out, or used elsewhere); log in again: chat-cli login <username>' };
    case 'rate_limited':
      return { code: error.code, message: `too many attempts; try again${error.retryAfterMs === undefined ? ' later' : ` in ${Math.ceil(error.retryAfterMs / 1000)} s`}` };
    case 'network_error':
    case 'timeout':
      return { code: 'auth_unreachable', message: `cannot reach the auth service at ${authUrl ?? 'its URL'} (${detail}); is the suite running (npm start)? --auth or CHAT_AUTH_URL sets the URL` };
    case 'validation_failed':
      return { code: error.code, message: detail };
    default:
      return { code: error.code, message: `auth answered ${error.status}: ${detail}` };
  }
}
