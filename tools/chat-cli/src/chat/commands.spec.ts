import { CommandError, DEFAULT_HISTORY_PAGE, parseCommand, tokenize } from './commands';

describe('parseCommand', () => {
  it('sends plain lines as typed, skips blank lines and comments, and // starts a message with a slash', () => {
    expect(parseCommand('  hello   there ')).toEqual({ kind: 'send', text: 'hello   there' });
    expect(parseCommand('//shrug')).toEqual({ kind: 'send', text: '/shrug' });
    expect(parseCommand('   ')).toBeUndefined();
    expect(parseCommand('# a comment in a script')).toBeUndefined();
  });

  it('reads every command and its arguments', () => {
    expect(parseCommand('/list')).toEqual({ kind: 'list' });
    expect(parseCommand('/open 2')).toEqual({ kind: 'open', target: '2' });
    expect(parseCommand('/open Weekend trip')).toEqual({ kind: 'open', target: 'Weekend trip' });
    expect(parseCommand('/open "Weekend trip"')).toEqual({ kind: 'open', target: 'Weekend trip' });
    expect(parseCommand('/history')).toEqual({ kind: 'history', count: DEFAULT_HISTORY_PAGE });
    expect(parseCommand('/history 50')).toEqual({ kind: 'history', count: 50 });
    expect(parseCommand('/group "Weekend trip" bob carol')).toEqual({ kind: 'group', title: 'Weekend trip', usernames: ['bob', 'carol'] });
    expect(parseCommand('/add dave erin')).toEqual({ kind: 'add', usernames: ['dave', 'erin'] });
    expect(parseCommand('/remove carol')).toEqual({ kind: 'remove', username: 'carol' });
    expect(parseCommand('/leave')).toEqual({ kind: 'leave' });
    expect(parseCommand("/rename 'Ski trip'")).toEqual({ kind: 'rename', title: 'Ski trip' });
    expect(parseCommand('/typing')).toEqual({ kind: 'typing', active: true });
    expect(parseCommand('/typing off')).toEqual({ kind: 'typing', active: false });
    expect(parseCommand('/announce Maintenance at 22:00  UTC')).toEqual({ kind: 'announce', text: 'Maintenance at 22:00  UTC' });
    expect(parseCommand('/announce --expires 600 Back soon')).toEqual({ kind: 'announce', text: 'Back soon', expiresInSeconds: 600 });
    expect(parseCommand('/QUIT')).toEqual({ kind: 'quit' });
    expect(parseCommand('/logout')).toEqual({ kind: 'logout' });
  });

  it('reads the wait conditions, with an optional timeout before or after', () => {
    expect(parseCommand('/wait message hi  there')).toEqual({ kind: 'wait', condition: { kind: 'message', text: 'hi  there' } });
    expect(parseCommand('/wait --timeout 5 typing bob')).toEqual({ kind: 'wait', condition: { kind: 'typing', username: 'bob' }, timeoutMs: 5000 });
    expect(parseCommand('/wait read --timeout 0.5')).toEqual({ kind: 'wait', condition: { kind: 'read' }, timeoutMs: 500 });
    expect(parseCommand('/wait delivered bob')).toEqual({ kind: 'wait', condition: { kind: 'delivered', username: 'bob' } });
    expect(parseCommand('/wait conversation Weekend trip')).toEqual({ kind: 'wait', condition: { kind: 'conversation', name: 'Weekend trip' } });
    expect(parseCommand('/wait removed carol')).toEqual({ kind: 'wait', condition: { kind: 'removed', username: 'carol' } });
    expect(parseCommand('/wait announcement Maintenance tonight')).toEqual({ kind: 'wait', condition: { kind: 'announcement', text: 'Maintenance tonight' } });
    expect(parseCommand('/wait online')).toEqual({ kind: 'wait', condition: { kind: 'online' } });
    expect(parseCommand('/wait message use --force now')).toEqual({ kind: 'wait', condition: { kind: 'message', text: 'use --force now' } });
  });

  it.each([
    ['/frobnicate', 'unknown command /frobnicate (/help lists the commands; start a message with // to send a slash)'],
    ['/open', 'usage: /open <number|username|group title>'],
    ['/group Trip', 'usage: /group "<title>" <username>... (at least one other member)'],
    ['/group "Trip bob', 'unterminated " quote'],
    ['/history 0', 'usage: /history [n], n a whole number from 1 to 100 (got 0)'],
    ['/history lots', 'usage: /history [n], n a whole number from 1 to 100 (got lots)'],
    ['/list everything', '/list takes no arguments'],
    ['/typing maybe', 'usage: /typing [on|off] (got maybe)'],
    ['/announce', 'usage: /announce [--expires <seconds>] <text>'],
    ['/announce --expires soon hi', '--expires takes a number of seconds above 0 (got soon)'],
    ['/wait --timeout 0 online', '--timeout takes a number of seconds above 0 (got 0)'],
    ['/wait --until 5 online', 'unknown option --until (allowed: --timeout)'],
    ['/wait message', 'usage: /wait message <text>'],
    ['/wait forever', expect.stringContaining('unknown wait condition "forever"')],
  ])('names what is wrong with %s', (line, message) => {
    expect(() => parseCommand(line)).toThrow(CommandError);
    try {
      parseCommand(line);
    } catch (error) {
      expect((error as Error).message).toEqual(message);
    }
  });
});

describe('tokenize', () => {
  it('splits on spaces, keeps quoted spaces and escaped characters', () => {
    expect(tokenize(`a  "b c" 'd "e"' f\\ g ""`)).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});
