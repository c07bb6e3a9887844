import type { TokenPair } from '@chat/client-sdk';
import { useState } from 'preact/hooks';
import { describe } from '../chat-store';
import type { SavingAuthClient } from '../saved-session';

interface Props {
  auth: SavingAuthClient;
  notice?: string;
  onSignedIn(pair: TokenPair, username: string): void;
}

/** Sign in, or create an account and sign in with it. */
export function LoginView({ auth, notice, onSignedIn }: Props) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      // Registration answers with the name as registered; login is case-insensitive, so ask auth for it.
      const name = mode === 'register' ? (await auth.register(username, password)).username : username;
      const pair = await auth.login(name, password);
      const me = mode === 'register' ? { username: name } : await auth.me(pair.accessToken).catch(() => ({ username: name }));
      onSignedIn(pair, me.username);
    } catch (caught) {
      setError(describe(caught));
      setBusy(false);
    }
  };

  const registering = mode === 'register';
  return (
    <main class="center">
      <form class="card login" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{registering ? 'Create an account' : 'Sign in to Chat'}</h1>
        {notice && <p class="notice">{notice}</p>}
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_.\-]+" title="3–32 letters, digits, _ . or -" />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete={registering ? 'new-password' : 'current-password'}
          required
          minLength={registering ? 10 : 1}
          maxLength={256}
          aria-describedby={registering ? 'password-hint' : undefined}
        />
        {registering && (
          <p id="password-hint" class="hint">
            At least 10 characters.
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {registering ? 'Create account' : 'Sign in'}
        </button>
        <button
          type="button"
          class="link"
          onClick={() => {
            setMode(registering ? 'login' : 'register');
            setError(undefined);
          }}
        >
          {registering ? 'I have an account: sign in' : 'New here? Create an account'}
        </button>
      </form>
    </main>
  );
}
