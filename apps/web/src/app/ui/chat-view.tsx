import type { ChatStore } from '../chat-store';
import { ConversationPane } from './conversation-pane';
import { Sidebar } from './sidebar';
import { useStore } from './use-store';

interface Props {
  store: ChatStore;
  onSignedOut(notice?: string): void;
}

/** The signed-in app: header, banners, the conversation list and the open conversation. */
export function ChatView({ store, onSignedOut }: Props) {
  useStore(store);
  const selected = store.selectedId;
  return (
    <div class={`shell${selected ? ' has-selection' : ''}`}>
      <header class="topbar">
        <h1 class="brand">Chat</h1>
        <span class="whoami">
          Signed in as <strong>{store.username}</strong>
        </span>
        <button type="button" onClick={() => void store.logout().then(() => onSignedOut())}>
          Sign out
        </button>
      </header>
      <ConnectionBanner store={store} onSignedOut={onSignedOut} />
      <Announcements store={store} />
      <div class="panes">
        <Sidebar store={store} />
        {selected ? (
          <ConversationPane key={selected} store={store} id={selected} />
        ) : (
          <main class="pane empty">
            <p>Pick a conversation, or start one by username.</p>
          </main>
        )}
      </div>
    </div>
  );
}

/** What the connection is doing, when it is not simply up: the SDK resumes on its own; this says so. */
function ConnectionBanner({ store, onSignedOut }: Props) {
  const { change, everReady, offline } = store.connection;
  if (store.ended !== undefined) {
    return (
      <div class="banner danger" role="alert">
        <span>Disconnected: {store.ended}</span>
        <button type="button" onClick={() => onSignedOut('Your session has ended; sign in again.')}>
          Sign in again
        </button>
      </div>
    );
  }
  let text = '';
  let retry = false;
  if (offline) {
    text = 'You are offline. Messages you send wait here and go out when the connection is back.';
  } else if (change.state === 'reconnecting') {
    text = `Connection lost. Reconnecting${change.attempt ? ` (attempt ${change.attempt})` : ''}…`;
    retry = true;
  } else if (change.state === 'connecting' || change.state === 'syncing') {
    text = everReady ? 'Reconnecting… catching up on what you missed.' : 'Connecting…';
  }
  return (
    <div class={`banner warn${text ? '' : ' quiet'}`} role="status" aria-label="Connection">
      {text && <span>{text}</span>}
      {retry && (
        <button type="button" onClick={() => store.reconnectNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}

function Announcements({ store }: { store: ChatStore }) {
  const announcements = store.visibleAnnouncements();
  return (
    <section class="announcements" aria-label="Announcements" aria-live="polite">
      {announcements.map((announcement) => (
        <div class="banner info" key={announcement.announcementId}>
          <p>
            <strong>Announcement</strong> <span class="muted">from {store.nameOf(announcement.senderId)}</span>: {announcement.body}
          </p>
          <button type="button" aria-label="Dismiss announcement" onClick={() => store.dismissAnnouncement(announcement.announcementId)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
