import { z } from 'zod';
import { accessTokenEnvSchema, refineProductionSecret } from '@chat/auth-tokens';
import { MAX_CLIENT_FRAME_BYTES } from '@chat/protocol';
import { baseConfigSchema, configFrom, envInt } from '@chat/service-kit';

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

export const gatewayConfigSchema = baseConfigSchema
  .extend(accessTokenEnvSchema.shape)
  .extend({
    /** Open WebSockets this instance holds; one more is closed with 1013 (try again later). */
    WS_MAX_CONNECTIONS: envInt({ min: 1, max: 1_000_000, default: 10_000 }),
    /** Open WebSockets one user may hold on this instance (devices, tabs); one more is closed with 4009. */
    WS_MAX_CONNECTIONS_PER_USER: envInt({ min: 1, max: 10_000, default: 20 }),
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
    /** Unreadable frames in a row after which the socket is closed with 4008 (policy violation). */
    WS_MAX_INVALID_FRAMES: envInt({ min: 1, max: 10_000, default: 20 }),
    /** Bytes queued for a client that does not read; beyond, it is closed with 4005 (slow consumer). */
    WS_MAX_BUFFERED_BYTES: envInt({ min: 64 * KIB, max: 1024 * MIB, default: 4 * MIB }),
    /** How often the server pings every socket. */
    WS_PING_INTERVAL_MS: envInt({ min: 1000, max: 600_000, default: 15_000 }),
    /** A socket silent this long (no pong, no frame) is closed with 4000 (heartbeat timeout). */
    WS_IDLE_TIMEOUT_MS: envInt({ min: 2000, max: 3_600_000, default: 30_000 }),
    /** Lifetime of this gateway's lease on chat.gateways; renewed every third of it. */
    GATEWAY_LEASE_TTL_MS: envInt({ min: 3000, max: 600_000, default: 15_000 }),
    /** Browser origins allowed to open a WebSocket (comma list); others are closed with 4003. Empty: any. */
    ALLOWED_ORIGINS: allowedOrigins,
  })
  .superRefine(refineProductionSecret)
  .superRefine((config, ctx) => {
    // A timeout shorter than the ping interval would close healthy but quiet clients.
    if (config.WS_IDLE_TIMEOUT_MS <= config.WS_PING_INTERVAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['WS_IDLE_TIMEOUT_MS'], message: 'must be greater than WS_PING_INTERVAL_MS', input: config.WS_IDLE_TIMEOUT_MS });
    }
  });

/** The gateway's validated configuration; inject it by this class. */
export class GatewayConfig extends configFrom(gatewayConfigSchema) {}
