import { Injectable } from '@nestjs/common';
import type { ClientConnection } from './client-connection';

/** What the registry needs of a connection; tests register plain objects. */
export interface RegisteredConnection {
  readonly id: string;
  readonly userId: string;
}

/** A user's connection count on this gateway after a change: 1 after the first, 0 after the last. */
export interface PresenceChange {
  userId: string;
  connections: number;
}

/**
 * The sockets held by this gateway: by connection id (answers to one request) and by user (every
 * device of a user receives their conversations' frames). Registration changes report the user's
 * new count, which is what presence publishes.
 */
@Injectable()
export class ConnectionRegistry<C extends RegisteredConnection = ClientConnection> {
  private readonly byId = new Map<string, C>();
  private readonly byUser = new Map<string, Set<C>>();

  get size(): number {
    return this.byId.size;
  }

  add(connection: C): PresenceChange {
    if (this.byId.has(connection.id)) throw new Error(`connection ${connection.id} is already registered`);
    this.byId.set(connection.id, connection);
    let devices = this.byUser.get(connection.userId);
    if (!devices) {
      devices = new Set();
      this.byUser.set(connection.userId, devices);
    }
    devices.add(connection);
    return { userId: connection.userId, connections: devices.size };
  }

  /** Unregisters a connection; undefined if it was not (or no longer) registered, so a second call changes nothing. */
  remove(connection: C): PresenceChange | undefined {
    if (this.byId.get(connection.id) !== connection) return undefined;
    this.byId.delete(connection.id);
    const devices = this.byUser.get(connection.userId);
    devices?.delete(connection);
    const remaining = devices?.size ?? 0;
    if (remaining === 0) this.byUser.delete(connection.userId);
    return { userId: connection.userId, connections: remaining };
  }

  get(connectionId: string): C | undefined {
    return this.byId.get(connectionId);
  }

  connectionsOf(userId: string): ReadonlySet<C> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  /** A snapshot, safe to iterate while connections close. */
  all(): C[] {
    return [...this.byId.values()];
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
