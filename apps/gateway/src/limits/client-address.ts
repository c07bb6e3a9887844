import type { IncomingMessage } from 'node:http';
import { isIP, type BlockList } from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) as `10.0.0.1`, so both spellings share limits. */
function normalized(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(address: string, proxies: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client IP of an upgrade request, which the per-IP limits count. The TCP peer, unless it is a
 * trusted proxy (GATEWAY_TRUSTED_PROXIES): then X-Forwarded-For is read from the right, skipping
 * trusted proxies, and the first address that is not one is the client (addresses further left
 * were written by the client itself and prove nothing). Without trusted proxies the header is
 * ignored: anyone could send one.
 */
export function clientAddress(request: Pick<IncomingMessage, 'headers' | 'socket'>, proxies: BlockList | undefined): string {
  const peer = normalized(request.socket.remoteAddress ?? 'unknown');
  if (!proxies || !isTrusted(peer, proxies)) return peer;
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => normalized(hop.trim()))
    .filter(Boolean);
  let client = peer;
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] as string;
    if (isIP(hop) === 0) break; // garbage: stop at the last address we could trust
    client = hop;
    if (!isTrusted(hop, proxies)) break;
  }
  return client;
}
