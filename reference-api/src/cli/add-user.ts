/**
 * Adds a user to the reference API's file database:
 *
 *   REFERENCE_DB=ref.db npm run reference:add-user -- \
 *     --email a@example.test --name "A B" --organization <uuid or name> --password-stdin < pw.txt
 *
 * The password comes from stdin (--password-stdin) or from NEW_USER_PASSWORD, never from
 * the command line, where `ps` and shell history would show it. The hash cost is
 * PASSWORD_HASH_COST (default 17). `--create-organization` creates the organization when
 * no organization has that name. Bad input: one line on stderr, exit 2.
 */
import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, SuiteError, runMain } from '../../../lib/errors.ts';
import { validate } from '../../../contracts/index.ts';
import { loadConfig } from '../config.ts';
import { ReferenceStore } from '../db.ts';
import { hashPassword } from '../passwords.ts';

/** NIST SP 800-63B allows 8; test accounts of this project use at least 12. */
const MIN_PASSWORD_LENGTH = 12;

const usage = (message: string) => new SuiteError('USAGE', message);

function parseArguments(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        organization: { type: 'string' },
        'create-organization': { type: 'boolean', default: false },
        'password-stdin': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // parseArgs quotes the offending argument; that is the user's own input, not a secret we hold.
    throw usage((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

async function readPassword(fromStdin: boolean, env: NodeJS.ProcessEnv): Promise<string> {
  if (fromStdin) return (await text(process.stdin)).replace(/\r?\n$/, '');
  const password = env.NEW_USER_PASSWORD;
  if (password === undefined) throw usage('give the password on stdin with --password-stdin, or in NEW_USER_PASSWORD');
  return password;
}

export async function addUser(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const args = parseArguments(argv);
  if (!args.email) throw usage('--email is required');
  if (!args.name?.trim()) throw usage('--name is required');
  if (!args.organization?.trim()) throw usage('--organization (id or name) is required');

  const config = loadConfig(env);
  if (config.databasePath === ':memory:') throw new ConfigError('REFERENCE_DB', 'must name a database file for add-user');

  const password = await readPassword(args['password-stdin'], env);
  const request = validate('SignInRequest', { email: args.email, password });
  if (!request.ok) {
    const fields = [...new Set(request.violations.map((v) => v.path.replace('$.', '')))].join(', ');
    throw usage(`invalid ${fields}`);
  }
  if (password.length < MIN_PASSWORD_LENGTH) throw usage(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);

  const store = new ReferenceStore(config.databasePath);
  try {
    let organization = store.findOrganization(args.organization);
    if (!organization) {
      if (!args['create-organization']) {
        throw usage(`no organization with id or name "${args.organization}" (add --create-organization to create it)`);
      }
      organization = { id: randomUUID(), name: args.organization };
      store.addOrganization(organization);
    }
    if (store.findUserByEmail(args.email)) throw usage(`a user with email ${args.email} already exists`);

    const user = {
      id: randomUUID(),
      email: args.email,
      name: args.name.trim(),
      organization_id: organization.id,
      password_hash: await hashPassword(password, config.passwordHashCost),
    };
    store.addUser(user);
    return `added user ${user.id} <${user.email}> to organization ${organization.id} (${organization.name})`;
  } finally {
    store.close();
  }
}

// Run only as a command, not when imported by a test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runMain(async () => {
    process.stdout.write(`${await addUser(process.argv.slice(2))}\n`);
  });
}
