import { messagingClientMode } from './context';

describe('messagingClientMode', () => {
  it('takes the light client from 1,000 messages (or deliveries) per second on, the SDK below', () => {
    expect(messagingClientMode(undefined, 1000)).toBe('light');
    expect(messagingClientMode(undefined, 99_900)).toBe('light');
    expect(messagingClientMode(undefined, 999)).toBe('sdk');
  });

  it('does what --client says', () => {
    expect(messagingClientMode('sdk', 5000)).toBe('sdk');
    expect(messagingClientMode('light', 10)).toBe('light');
  });
});
