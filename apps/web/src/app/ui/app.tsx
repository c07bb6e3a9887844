import { AuthError } from '@chat/client-sdk';
import { useEffect, useState } from 'preact/hooks';
import { ChatStore } from '../chat-store';
import { endpoints } from '../endpoints';
import { forgetSession, loadSession, SavingAuthClient } from '../saved-session';
import { ChatView } from './chat-view';
import { LoginView } from './login-view';

const auth = new SavingAuthClient(endpoints.auth);

type Phase = { kind: 'resuming' } | { kind: 'signed-out'; notice?: string } | { kind: 'signed-in'; store: ChatStore };

/** Signs in (or resumes the tab's saved session after a reload), then shows the chat. */
export function App() {
  const [phase, setPhase] = useState<Phase>(() => (loadSession() ? { kind: 'resuming' } : { kind: 'signed-out' }));

  useEffect(() => {
    const saved = loadSession();
    if (!saved) return;
    auth.signedInAs(saved.username);
    auth.refresh(saved.refreshToken).then(
      (pair) => setPhase({ kind: 'signed-in', store: ChatStore.start(auth, pair, saved.username, endpoints.ws) }),
      (error: unknown) => {
        // A spent or revoked token cannot be used again; anything else (server down) may work on the next reload.
        const over = error instanceof AuthError && error.status === 401;
        if (over) forgetSession();
        setPhase({ kind: 'signed-out', notice: over ? 'Your session has ended; sign in again.' : 'Could not resume your session; sign in again.' });
      },
    );
  }, []);

  if (phase.kind === 'resuming') {
    return (
      <main class="center" aria-busy="true">
        <p role="status">Signing you back in…</p>
      </main>
    );
  }
  if (phase.kind === 'signed-out') {
    return (
      <LoginView
        auth={auth}
        notice={phase.notice}
        onSignedIn={(pair, username) => setPhase({ kind: 'signed-in', store: ChatStore.start(auth, pair, username, endpoints.ws) })}
      />
    );
  }
  return (
    <ChatView
      store={phase.store}
      onSignedOut={(notice) => {
        phase.store.close();
        setPhase({ kind: 'signed-out', notice });
      }}
    />
  );
}
