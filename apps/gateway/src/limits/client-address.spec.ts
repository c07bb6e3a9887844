import { trustedProxyList } from '../config';
import { clientAddress } from './client-address';

function request(peer: string, forwardedFor?: string) {
  return { socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as Parameters<typeof clientAddress>[0];
}

describe('clientAddress', () => {
  const proxies = trustedProxyList(['127.0.0.1', '10.0.0.0/8']);

  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('203.0.113.5', '198.51.100.1'), undefined)).toBe('203.0.113.5');
    expect(clientAddress(request('::ffff:203.0.113.5'), undefined)).toBe('203.0.113.5');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress(request('203.0.113.5', '198.51.100.1'), proxies)).toBe('203.0.113.5');
  });

  it('behind trusted proxies, is the rightmost address that is not one of them', () => {
    expect(clientAddress(request('127.0.0.1', '198.51.100.1'), proxies)).toBe('198.51.100.1');
    // The client wrote the leftmost entry itself: a forged one is not believed.
    expect(clientAddress(request('10.1.2.3', '1.1.1.1, 198.51.100.1, 10.9.9.9'), proxies)).toBe('198.51.100.1');
    expect(clientAddress(request('::ffff:127.0.0.1', '198.51.100.1'), proxies)).toBe('198.51.100.1');
  });

  it('stops at garbage, and falls back to the proxy when the header is missing', () => {
    expect(clientAddress(request('127.0.0.1', 'not-an-ip, 198.51.100.1'), proxies)).toBe('198.51.100.1');
    expect(clientAddress(request('127.0.0.1', 'not-an-ip'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1'), proxies)).toBe('127.0.0.1');
  });
});
