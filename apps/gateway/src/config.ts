import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { accessTokenVerifierEnvSchema } from '@chat/auth-tokens';
import { MAX_CLIENT_FRAME_BYTES } from '@chat/protocol';
import { baseConfigSchema, configFrom, envInt, envIntOrAuto } from '@chat/service-kit';
import { readQuotaEnvShape } from './frames/read-quota.config';

const KIB = 1024;
const MIB = 1024 * KIB;

/** A browser origin as it appears in the `Origin` header: scheme, host and port, no path. */
const ORIGIN_PATTERN = /^https?:\/\/[^\s/?#]+$/;

/** `https://a.example,https://b.example`; empty or unset allows every origin. */
const allowedOrigins = z.preprocess(
  (value) => (typeof value === 'string' ? value : ''),
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim().toLowerCase().replace(/\/$/, ''))
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(ORIGIN_PATTERN, 'each origin must look like https://host[:port]'))),
);

/** `10.0.0.0/8` or `fd00::/8`: a subnet in CIDR notation. */
const CIDR_PATTERN = /^([^/\s]+)\/(\d{1,3})$/;

/**
 * `127.0.0.1,10.0.0.0/8,fd00::/8`: addresses and subnets of reverse proxies whose X-Forwarded-For
 * is believed; empty or unset trusts none (the TCP peer is the client).
 */
const trustedProxies = z.preprocess(
  (value) => (typeof value === 'string' ? value : ''),
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        const cidr = CIDR_PATTERN.exec(entry);
        const address = cidr ? cidr[1] : entry;
        const family = isIP(address ?? '');
        const bits = cidr ? Number(cidr[2]) : undefined;
        if (family === 0 || (bits !== undefined && bits > (family === 4 ? 32 : 128))) {
          ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 60)}" is not an IP address or a CIDR subnet (e.g. 10.0.0.0/8)`, input: entry });
        }
      }
    }),
);

/** The trusted proxies as a BlockList (net's matcher of addresses and subnets), or undefined for none. */
export function trustedProxyList(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const cidr = CIDR_PATTERN.exec(entry);
    const address = cidr?.[1] ?? entry;
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (cidr) list.addSubnet(address, Number(cidr[2]), type);
    else list.addAddress(address, type);
  }
  return list;
}

export const gatewayConfigSchema = baseConfigSchema
  .extend(accessTokenVerifierEnvSchema.shape)
  .extend(readQuotaEnvShape)
  .extend({
    /** Open WebSockets this instance holds; one more is closed with 1013 (try again later). */
    WS_MAX_CONNECTIONS: envInt({ min: 1, max: 1_000_000, default: 10_000 }),
    /** Open WebSockets one user may hold on this instance (devices, tabs); one more is closed with 4009. */
    WS_MAX_CONNECTIONS_PER_USER: envInt({ min: 1, max: 10_000, default: 20 }),
    /**
     * Open WebSockets one client IP may hold on this instance (a NAT or an office shares one); one more
     * is closed with 1013. Behind a proxy set GATEWAY_TRUSTED_PROXIES, or every client is the proxy.
     */
    WS_MAX_CONNECTIONS_PER_IP: envInt({ min: 1, max: 1_000_000, default: 1_000 }),
    /** New WebSockets one client IP may open per second on average; beyond, closed with 1013 before the token is read… */
    WS_MAX_HANDSHAKES_PER_IP_PER_SECOND: envInt({ min: 1, max: 1_000_000, default: 20 }),
    /** …and at once (the IP's bucket size; it starts full). */
    WS_HANDSHAKE_BURST_PER_IP: envInt({ min: 1, max: 1_000_000, default: 100 }),
    /**
     * New WebSockets this instance admits per second on average (token bucket); beyond, a new socket
     * is closed with 1013 before its token is verified, so a reconnect storm (a gateway died and its
     * clients come here) backs off instead of overloading auth checks, list_conversations and sync.
     */
    WS_MAX_HANDSHAKES_PER_SECOND: envInt({ min: 1, max: 1_000_000, default: 5_000 }),
    /** …and at once (the bucket's size; it starts full). */
    WS_HANDSHAKE_BURST: envInt({ min: 1, max: 1_000_000, default: 5_000 }),
    /** Largest client frame in bytes; a larger one closes the socket with 1009. Frames end up in Kafka records, hence the ceiling. */
    WS_MAX_FRAME_BYTES: envInt({ min: KIB, max: 256 * KIB, default: MAX_CLIENT_FRAME_BYTES }),
    /** Frames per second one connection may send on average… */
    WS_RATE_PER_SECOND: envInt({ min: 1, max: 10_000, default: 20 }),
    /** …and in a burst; frames beyond are answered with `rate_limited`. */
    WS_RATE_BURST: envInt({ min: 1, max: 100_000, default: 40 }),
    /**
     * Frames per second one user may send on average over all their sockets on this instance (so 20
     * tabs do not get 20 times the rate); `auto`: twice WS_RATE_PER_SECOND…
     */
    WS_USER_RATE_PER_SECOND: envIntOrAuto({ min: 1, max: 1_000_000 }),
    /** …and in a burst; `auto`: twice WS_RATE_BURST. Frames beyond are answered with `rate_limited`. */
    WS_USER_RATE_BURST: envIntOrAuto({ min: 1, max: 1_000_000 }),
    /** Unreadable frames in a row after which the socket is closed with 4008 (policy violation). */
    WS_MAX_INVALID_FRAMES: envInt({ min: 1, max: 10_000, default: 20 }),
    /** Bytes queued for a client that does not read; beyond, it is closed with 4005 (slow consumer). */
    WS_MAX_BUFFERED_BYTES: envInt({ min: 64 * KIB, max: 1024 * MIB, default: 4 * MIB }),
    /**
     * Bytes queued for all clients of this process together (the sum of every socket's send
     * backlog); beyond, the sockets with the largest backlogs are closed with 4005 until the sum is
     * back under three quarters of it. Size the gateway's memory limit above it (docs/reliability.md).
     */
    GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES: envInt({ min: MIB, max: 64 * 1024 * MIB, default: 256 * MIB }),
    /** Reverse proxies whose X-Forwarded-For names the client IP for the per-IP limits (comma list of IPs and CIDR subnets). */
    GATEWAY_TRUSTED_PROXIES: trustedProxies,
    /** How often the server pings every socket. */
    WS_PING_INTERVAL_MS: envInt({ min: 1000, max: 600_000, default: 15_000 }),
    /** A socket silent this long (no pong, no frame) is closed with 4000 (heartbeat timeout). */
    WS_IDLE_TIMEOUT_MS: envInt({ min: 2000, max: 3_600_000, default: 30_000 }),
    /** Lifetime of this gateway's lease on chat.gateways; renewed every third of it. */
    GATEWAY_LEASE_TTL_MS: envInt({ min: 3000, max: 600_000, default: 15_000 }),
    /** Browser origins allowed to open a WebSocket (comma list); others are closed with 4003. Empty: any. */
    ALLOWED_ORIGINS: allowedOrigins,
    /**
     * Whether the `access_token` query parameter still opens a socket (clients older than the
     * chat.auth.<token> subprotocol). Off: such a request is closed with 4001, since URLs end up in
     * access logs and proxies. Turn on only for a migration, and not for long.
     */
    WS_ACCEPT_QUERY_TOKEN: z.preprocess((value) => (value === '' || value === undefined ? 'false' : value), z.enum(['true', 'false'], { error: 'must be true or false' })).transform((value) => value === 'true'),
  })
  .superRefine((config, ctx) => {
    // A timeout shorter than the ping interval would close healthy but quiet clients.
    if (config.WS_IDLE_TIMEOUT_MS <= config.WS_PING_INTERVAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['WS_IDLE_TIMEOUT_MS'], message: 'must be greater than WS_PING_INTERVAL_MS', input: config.WS_IDLE_TIMEOUT_MS });
    }
    // One socket's backlog alone must fit in the process' budget, or the budget would cut every slow socket first.
    if (config.GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES < config.WS_MAX_BUFFERED_BYTES) {
      ctx.addIssue({ code: 'custom', path: ['GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES'], message: 'must be at least WS_MAX_BUFFERED_BYTES', input: config.GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES });
    }
  });

/** The gateway's validated configuration; inject it by this class. */
export class GatewayConfig extends configFrom(gatewayConfigSchema) {}

/** WS_USER_RATE_PER_SECOND, `auto`: twice a socket's rate. */
export function userRatePerSecond(config: GatewayConfig): number {
  return config.WS_USER_RATE_PER_SECOND === 'auto' ? 2 * config.WS_RATE_PER_SECOND : config.WS_USER_RATE_PER_SECOND;
}

/** WS_USER_RATE_BURST, `auto`: twice a socket's burst. */
export function userRateBurst(config: GatewayConfig): number {
  return config.WS_USER_RATE_BURST === 'auto' ? 2 * config.WS_RATE_BURST : config.WS_USER_RATE_BURST;
}
