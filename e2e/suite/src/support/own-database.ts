import { Client } from 'pg';
import { e2e, uniqueName } from './environment';

/** A database of a spec's own, and a connection to it for reading what the services stored. */
export interface OwnDatabase {
  /** Its name, for `useChatSuite({ persistenceDatabase })`. */
  readonly name: string;
  /** The connection, open between the spec's beforeAll and afterAll. */
  readonly client: Client;
}

/**
 * Creates a fresh database for one spec file (on the suite's PostgreSQL) and connects to it. Call it
 * before `useChatSuite`: hooks run in the order they are declared, and persistence migrates the
 * database when it starts.
 */
export function useOwnDatabase(prefix: string): OwnDatabase {
  const name = uniqueName(prefix).replace(/-/g, '_').toLowerCase();
  let client: Client | undefined;
  beforeAll(async () => {
    const admin = new Client({ connectionString: e2e.databaseUrlFor('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    client = new Client({ connectionString: e2e.databaseUrlFor(name) });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });
  return {
    name,
    get client(): Client {
      if (!client) throw new Error(`database ${name} is not connected: use it inside a test or hook`);
      return client;
    },
  };
}
