import { useState } from 'preact/hooks';
import { type ChatStore, describe } from '../chat-store';
import { shortTime } from './format';

/** Starting conversations, and the list of them with unread counts, last message and presence. */
export function Sidebar({ store }: { store: ChatStore }) {
  const items = store.list();
  return (
    <aside class="sidebar">
      <ActionForm
        label="Start a direct chat"
        submitText="Chat"
        fields={[{ name: 'username', label: 'Username', placeholder: 'e.g. alice' }]}
        onSubmit={(values) => store.startDirect(values['username'] ?? '')}
      />
      <details class="new-group">
        <summary>New group</summary>
        <ActionForm
          label="Create a group"
          submitText="Create group"
          fields={[
            { name: 'title', label: 'Group name', placeholder: 'e.g. Weekend plans' },
            { name: 'members', label: 'Members (usernames, separated by commas)', placeholder: 'alice, bob' },
          ]}
          onSubmit={(values) => store.createGroup(values['title'] ?? '', values['members'] ?? '')}
        />
      </details>
      <nav aria-label="Conversations">
        {items.length === 0 ? (
          <p class="muted pad">No conversations yet.</p>
        ) : (
          <ul class="conversation-list">
            {items.map((item) => (
              <li key={item.id}>
                <button type="button" class="conversation-item" aria-current={item.id === store.selectedId ? 'page' : undefined} onClick={() => store.select(item.id)}>
                  {item.online !== undefined && <span class={`dot ${item.online ? 'on' : 'off'}`} role="img" aria-label={item.online ? 'online' : 'offline'} />}
                  <span class="item-main">
                    <span class="item-title">{item.title}</span>
                    <span class="item-preview">
                      {item.removed
                        ? 'You are no longer a member'
                        : item.lastMessage
                          ? `${item.lastMessage.senderId === store.me ? 'You: ' : ''}${item.lastMessage.body}`
                          : 'No messages yet'}
                    </span>
                  </span>
                  <span class="item-side">
                    {item.lastMessage && <time class="muted">{shortTime(item.lastMessage.storedAt)}</time>}
                    {item.unread > 0 && <span class="badge">{item.unread} unread</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>
    </aside>
  );
}

interface Field {
  name: string;
  label: string;
  placeholder?: string;
}

interface ActionFormProps {
  /** The form's accessible name. */
  label: string;
  submitText: string;
  fields: Field[];
  onSubmit(values: Record<string, string>): Promise<void>;
}

/** A small form whose action is asynchronous: busy while it runs, its error shown as an alert. */
export function ActionForm({ label, submitText, fields, onSubmit }: ActionFormProps) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = label.toLowerCase().replace(/[^a-z]+/g, '-');
  return (
    <form
      class="action-form"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const values = Object.fromEntries(fields.map((field) => [field.name, String(new FormData(form).get(field.name) ?? '')]));
        setBusy(true);
        setError(undefined);
        onSubmit(values).then(
          () => {
            form.reset();
            setBusy(false);
          },
          (caught: unknown) => {
            setError(describe(caught));
            setBusy(false);
          },
        );
      }}
    >
      {fields.map((field) => (
        <div class="field" key={field.name}>
          <label for={`${id}-${field.name}`}>{field.label}</label>
          <input id={`${id}-${field.name}`} name={field.name} placeholder={field.placeholder} required={field === fields[0]} autocomplete="off" />
        </div>
      ))}
      <button type="submit" disabled={busy}>
        {submitText}
      </button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}
