import { roleOf } from '@chat/client-sdk';
import type { ChatMessage } from '@chat/wire';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type ChatStore, type ConversationModel, describe, type PendingMessage } from '../chat-store';
import { typingText } from '../model';
import { fullTime, shortTime } from './format';
import { ActionForm } from './sidebar';

const STATUS_TEXT = { sending: 'Sending…', failed: 'Not sent', sent: 'Sent', delivered: 'Delivered', read: 'Read' } as const;

/** One conversation: its header, members (groups), messages with scroll-back, typing line and composer. */
export function ConversationPane({ store, id }: { store: ChatStore; id: string }) {
  const model = store.conversations.get(id);
  const summary = store.summaryOf(id);
  const [showMembers, setShowMembers] = useState(false);
  if (!model || !summary) return <main class="pane empty" aria-busy="true" />;
  const title = store.titleOf(id);
  const other = summary.kind === 'direct' ? summary.memberIds.find((member) => member !== store.me) : undefined;
  const typists = store.typistsIn(model);
  return (
    <main class="pane conversation" aria-labelledby="conversation-title">
      <header class="conversation-header">
        <button type="button" class="back" aria-label="Back to conversations" onClick={() => store.select(undefined)}>
          ←
        </button>
        <div class="conversation-heading">
          <h2 id="conversation-title">{title}</h2>
          <span class="muted">
            {other !== undefined ? (store.online.has(other) ? 'online' : 'offline') : `${summary.memberIds.length} members`}
          </span>
        </div>
        {summary.kind === 'group' && !model.removed && (
          <button type="button" aria-expanded={showMembers} aria-controls="members-panel" onClick={() => setShowMembers(!showMembers)}>
            Members
          </button>
        )}
      </header>
      {showMembers && summary.kind === 'group' && !model.removed && <MembersPanel store={store} id={id} />}
      <MessageList store={store} model={model} title={title} />
      <div class="typing" role="status" aria-label="Typing">
        {typingText(typists)}
      </div>
      {model.removed ? (
        <p class="notice pad" role="note">
          You are no longer a member of this group: new messages do not reach you.
        </p>
      ) : (
        <Composer store={store} />
      )}
    </main>
  );
}

function MessageList({ store, model, title }: { store: ChatStore; model: ConversationModel; title: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const heightBeforeOlder = useRef<number | undefined>(undefined);
  const newest = model.messages.at(-1)?.seq;
  const oldest = model.messages[0]?.seq;

  // New messages keep the view at the bottom (if it was there); older ones keep what was on screen in place.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (heightBeforeOlder.current !== undefined) {
      element.scrollTop += element.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = undefined;
    } else if (stickToBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [newest, oldest, model.pending.length]);

  const loadOlder = () => {
    if (!model.hasOlder || model.loadingOlder) return;
    heightBeforeOlder.current = scroller.current?.scrollHeight;
    void store.loadOlder(model.id);
  };

  // Scrolled back to the top: the next page.
  useEffect(() => {
    const element = scroller.current;
    if (element && element.scrollTop < 40 && model.hasOlder && !model.loadingOlder && element.scrollHeight > element.clientHeight) loadOlder();
  });

  return (
    <div
      class="messages"
      ref={scroller}
      onScroll={(event) => {
        const element = event.currentTarget;
        stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 60;
        if (element.scrollTop < 40) loadOlder();
      }}
    >
      {model.hasOlder && (
        <button type="button" class="link older" onClick={loadOlder} disabled={model.loadingOlder}>
          {model.loadingOlder ? 'Loading older messages…' : 'Load older messages'}
        </button>
      )}
      <section role="log" aria-label={`Messages with ${title}`} aria-live="polite">
        {model.messages.length === 0 && model.pending.length === 0 && !model.loadingOlder && <p class="muted pad">No messages yet. Say hello!</p>}
        <ol class="message-list">
          {model.messages.map((message, index) => (
            <MessageItem key={message.seq} store={store} model={model} message={message} grouped={model.messages[index - 1]?.senderId === message.senderId} />
          ))}
          {model.pending.map((pending) => (
            <PendingItem key={pending.clientMsgId} store={store} model={model} pending={pending} />
          ))}
        </ol>
      </section>
    </div>
  );
}

function MessageItem({ store, model, message, grouped }: { store: ChatStore; model: ConversationModel; message: ChatMessage; grouped: boolean }) {
  const mine = message.senderId === store.me;
  const status = mine ? store.statusOf(model, message) : undefined;
  return (
    <li class={`message ${mine ? 'mine' : 'theirs'}`}>
      {!mine && !grouped && <span class="sender">{store.nameOf(message.senderId)}</span>}
      <p class="body">{message.body}</p>
      <span class="meta">
        <time dateTime={new Date(message.storedAt).toISOString()} title={fullTime(message.storedAt)}>
          {shortTime(message.storedAt)}
        </time>
        {status && <span class={`status status-${status}`}>{STATUS_TEXT[status]}</span>}
      </span>
    </li>
  );
}

function PendingItem({ store, model, pending }: { store: ChatStore; model: ConversationModel; pending: PendingMessage }) {
  return (
    <li class="message mine pending">
      <p class="body">{pending.body}</p>
      <span class="meta">
        {pending.error === undefined ? (
          <span class="status status-sending">{STATUS_TEXT.sending}</span>
        ) : (
          <>
            <span class="status status-failed" role="alert">
              {STATUS_TEXT.failed}: {pending.error}
            </span>
            <button type="button" class="link" onClick={() => store.discardFailed(model.id, pending.clientMsgId)}>
              Discard
            </button>
          </>
        )}
      </span>
    </li>
  );
}

function Composer({ store }: { store: ChatStore }) {
  const [text, setText] = useState('');
  const send = () => {
    if (text.trim() === '') return;
    store.send(text);
    setText('');
  };
  return (
    <form
      class="composer"
      aria-label="Send a message"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label for="composer-input" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        rows={1}
        maxLength={4000}
        placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
        value={text}
        onInput={(event) => {
          const value = event.currentTarget.value;
          setText(value);
          store.typing(value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
        onBlur={() => store.stopTyping()}
      />
      <button type="submit" class="primary" disabled={text.trim() === ''}>
        Send
      </button>
    </form>
  );
}

/** A group's members with their roles; owner and admins add and remove, everyone but a sole owner can leave. */
function MembersPanel({ store, id }: { store: ChatStore; id: string }) {
  const [error, setError] = useState<string | undefined>();
  const summary = store.summaryOf(id);
  if (!summary) return null;
  const myRole = roleOf(summary, store.me);
  const canManage = myRole === 'owner' || myRole === 'admin';
  const canLeave = myRole !== 'owner' || summary.memberIds.length === 1;
  const act = (action: Promise<void>) => {
    setError(undefined);
    action.catch((caught: unknown) => setError(describe(caught)));
  };
  return (
    <section id="members-panel" class="members" aria-label="Members">
      <ul>
        {summary.memberIds.map((memberId) => {
          const role = roleOf(summary, memberId);
          const removable = canManage && memberId !== store.me && role !== 'owner' && (myRole === 'owner' || role === 'member');
          return (
            <li key={memberId}>
              <span class={`dot ${store.online.has(memberId) || memberId === store.me ? 'on' : 'off'}`} role="img" aria-label={store.online.has(memberId) || memberId === store.me ? 'online' : 'offline'} />
              <span class="member-name">
                {store.nameOf(memberId)}
                {memberId === store.me && ' (you)'}
              </span>
              {role && role !== 'member' && <span class="role">{role}</span>}
              {removable && (
                <button type="button" class="link" aria-label={`Remove ${store.nameOf(memberId)}`} onClick={() => act(store.removeMember(id, memberId))}>
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {canManage && (
        <ActionForm
          label="Add members"
          submitText="Add"
          fields={[{ name: 'usernames', label: 'Add members (usernames)', placeholder: 'carol, dave' }]}
          onSubmit={(values) => store.addMembers(id, values['usernames'] ?? '')}
        />
      )}
      {canLeave ? (
        <button type="button" class="danger" onClick={() => act(store.leave(id))}>
          Leave group
        </button>
      ) : (
        <p class="muted">As the owner you can leave once the group has no other members.</p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
