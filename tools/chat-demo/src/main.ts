/**
 * Two people chat through a running suite, with the client SDK: register, log in, connect, open a
 * direct conversation, exchange messages, and print what each side sees.
 *
 *   node dist/tools/chat-demo/main.js [--auth http://127.0.0.1:3001] [--gateway ws://127.0.0.1:3000/ws]
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { AuthClient, AuthSession, ChatClient } from '@chat/client-sdk';
import { nodeSocketFactory } from '@chat/client-sdk/node';

const USAGE = 'usage: node dist/tools/chat-demo/main.js [--auth http://127.0.0.1:3001] [--gateway ws://127.0.0.1:3000/ws]';

/** The URLs to use; exits 2 with the usage on an unknown option or a missing value, 0 after --help. */
function parseOptions(argv: string[]): { authUrl: string; gatewayUrl: string } {
  let values: { auth?: string; gateway?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { auth: { type: 'string' }, gateway: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { authUrl: values.auth ?? 'http://127.0.0.1:3001', gatewayUrl: values.gateway ?? 'ws://127.0.0.1:3000/ws' };
}

async function person(auth: AuthClient, gatewayUrl: string, name: string): Promise<{ chat: ChatClient; userId: string; username: string }> {
  const username = `${name}_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await auth.register(username, password);
  const session = await AuthSession.login(auth, username, password);
  const chat = new ChatClient({ socketFactory: nodeSocketFactory() });
  chat.on('message', (message) => {
    const who = message.senderId === session.userId ? 'me' : 'them';
    console.log(`  ${username.padEnd(14)} sees #${message.seq} from ${who}: ${message.body}`);
  });
  await chat.connect(gatewayUrl, session.tokenProvider);
  return { chat, userId: session.userId, username };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const auth = new AuthClient(options.authUrl);
  const { gatewayUrl } = options;

  const alice = await person(auth, gatewayUrl, 'alice');
  const bob = await person(auth, gatewayUrl, 'bob');
  console.log(`registered ${alice.username} and ${bob.username}, both connected`);

  const { conversationId } = await alice.chat.openDirect(bob.userId);
  console.log(`direct conversation ${conversationId}`);
  for (const body of ['hi bob', 'are you there?']) await alice.chat.sendAndWaitStored(conversationId, body);
  await bob.chat.sendAndWaitStored(conversationId, 'hi alice, yes');

  // Bob's copy of the last message reaches Alice through the router; give it a moment to arrive.
  const deadline = Date.now() + 5000;
  while ((alice.chat.conversation(conversationId)?.lastSeq ?? 0) < 3 && Date.now() < deadline) await sleep(50);
  const history = await bob.chat.history(conversationId, { limit: 10 });
  console.log(`history as bob sees it: ${history.messages.map((m) => `#${m.seq} ${m.body}`).join(' | ')}`);
  alice.chat.close();
  bob.chat.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
