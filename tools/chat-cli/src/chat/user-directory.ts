import type { UserProfile } from '@chat/client-sdk';

/** The sender of operators' announcements (OPERATOR_USER_ID of the protocol); auth never gives a user this id. */
export const OPERATOR_USER_ID = '00000000-0000-0000-0000-000000000000';

export type LookupUsers = (query: { usernames?: string[]; userIds?: string[] }) => Promise<UserProfile[]>;

/** Frames carry user ids only; auth's directory gives the names, cached for the process. */
export class UserDirectory {
  private readonly byId = new Map<string, string>();
  private readonly byName = new Map<string, UserProfile>();

  constructor(private readonly lookup: LookupUsers) {
    this.byId.set(OPERATOR_USER_ID, 'operator');
  }

  remember(profile: UserProfile): void {
    this.byId.set(profile.userId, profile.username);
    this.byName.set(profile.username.toLowerCase(), profile);
  }

  /** The name of a user, or a short form of the id while it is unknown (call `resolve` first). */
  nameOf(userId: string): string {
    return this.byId.get(userId) ?? `user ${userId.slice(0, 8)}`;
  }

  knows(userId: string): boolean {
    return this.byId.has(userId);
  }

  /** Fetches the names of the ids not known yet, at most 100 per call (the directory's limit). */
  async resolve(userIds: Iterable<string>): Promise<void> {
    const unknown = [...new Set(userIds)].filter((id) => !this.byId.has(id));
    for (let start = 0; start < unknown.length; start += 100) {
      for (const profile of await this.lookup({ userIds: unknown.slice(start, start + 100) })) this.remember(profile);
    }
  }

  /** The users with these names (case-insensitive); the ones that do not exist are listed in `missing`. */
  async find(usernames: readonly string[]): Promise<{ found: UserProfile[]; missing: string[] }> {
    const wanted = [...new Set(usernames)];
    const unknown = wanted.filter((name) => !this.byName.has(name.toLowerCase()));
    if (unknown.length > 0) for (const profile of await this.lookup({ usernames: unknown })) this.remember(profile);
    const found: UserProfile[] = [];
    const missing: string[] = [];
    for (const name of wanted) {
      const profile = this.byName.get(name.toLowerCase());
      if (profile) found.push(profile);
      else missing.push(name);
    }
    return { found, missing };
  }
}
