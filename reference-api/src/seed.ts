/**
 * The seed: organizations and users with plaintext passwords (test data only) read from
 * seed/users.json, the single source of the suite's default credentials. Passwords are
 * hashed at start-up, in parallel, at the configured cost; rows that already exist (a file
 * database from an earlier run) are left untouched and not re-hashed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { SuiteError } from '../../lib/errors.ts';
import { conforms } from '../../contracts/index.ts';
import { ReferenceStore } from './db.ts';
import { createPasswordHasher, type PasswordHasher } from './passwords.ts';

export interface SeedOrganization {
  id: string;
  name: string;
}

export interface SeedUser {
  id: string;
  email: string;
  name: string;
  organization_id: string;
  password: string;
}

export interface Seed {
  organizations: SeedOrganization[];
  users: SeedUser[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const invalid = (file: string, problem: string) => new SuiteError('SEED_INVALID', `${file}: ${problem}`);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readSeed(file: string): Seed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(file, `not readable JSON (${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'})`);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.organizations) || !Array.isArray(parsed.users)) {
    throw invalid(file, 'expected {"organizations": [...], "users": [...]}');
  }
  const organizations = parsed.organizations.map((entry, index): SeedOrganization => {
    if (!isRecord(entry) || typeof entry.id !== 'string' || !UUID.test(entry.id) || typeof entry.name !== 'string' || !entry.name) {
      throw invalid(file, `organizations[${index}] needs a UUID "id" and a non-empty "name"`);
    }
    return { id: entry.id, name: entry.name };
  });
  const organizationIds = new Set(organizations.map((o) => o.id));
  const users = parsed.users.map((entry, index): SeedUser => {
    const where = `users[${index}]`;
    if (!isRecord(entry)) throw invalid(file, `${where} is not an object`);
    const { id, email, name, organization_id, password } = entry;
    if (typeof id !== 'string' || !UUID.test(id)) throw invalid(file, `${where}.id must be a UUID`);
    // The same rules a sign-in request must meet, so every seeded user can sign in.
    if (!conforms('SignInRequest', { email, password })) throw invalid(file, `${where} needs a valid "email" and "password"`);
    if (typeof name !== 'string' || !name) throw invalid(file, `${where}.name must be a non-empty string`);
    if (typeof organization_id !== 'string' || !organizationIds.has(organization_id)) {
      throw invalid(file, `${where}.organization_id must name one of the seed's organizations`);
    }
    return { id, email: email as string, name, organization_id, password: password as string };
  });
  return { organizations, users };
}

/** Inserts what is missing; returns how many users were added. */
export async function applySeed(store: ReferenceStore, seed: Seed, passwords: PasswordHasher): Promise<number> {
  const missing = seed.users.filter((user) => !store.hasUser(user.id, user.email));
  const hashes = await Promise.all(missing.map((user) => passwords.hash(user.password)));
  store.transaction(() => {
    for (const organization of seed.organizations) store.addOrganization(organization);
    missing.forEach((user, index) => {
      store.addUser({ ...user, password_hash: hashes[index]! });
    });
  });
  return missing.length;
}

/**
 * Writes a database file holding the seed, hashed at `cost`: a template that instances
 * started with REFERENCE_DB pointing at a copy of it use as is, without hashing again
 * (applySeed leaves existing users alone). Replaces `file` if it exists.
 */
export async function writeSeededDatabase(file: string, seedFile: string, cost: number): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  const store = new ReferenceStore(file);
  try {
    await applySeed(store, readSeed(seedFile), await createPasswordHasher(cost));
  } finally {
    // Closing checkpoints the write-ahead log into the file: the file alone is the template.
    store.close();
  }
}
