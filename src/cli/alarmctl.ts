/**
 * alarmctl: the plant's configuration as files, users and backups from a shell, on the database
 * the server uses (DATABASE). README, "Config as files". Run: npm run alarmctl -- <command>
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { userService } from '../auth/user-service.js';
import { systemClock } from '../kernel/clock.js';
import { configIoService, type ConfigIoService } from '../config-io/config-io-service.js';
import { ConfigError, loadConfig } from '../config.js';
import { isPostgresUrl, type Db } from '../db/database.js';
import { AppError } from '../kernel/errors.js';
import { createJournal, type Journal } from '../journal/journal.js';
import { journalStoreFor } from '../journal/journal-stores.js';
import type { Logger } from '../log/logger.js';
import { currentRuntime } from '../runtime/current.js';
import { backupCommand } from './backup.js';
import { openCliDatabase, type Access } from './cli-database.js';
import { CliFailure, EXIT } from './cli-failure.js';
import { exportCommand, importCommand } from './config-commands.js';
import { readPassword } from './read-secret.js';
import { userAdd, userList, userPasswd } from './user-commands.js';

const USAGE = `usage: npm run alarmctl -- <command>
  export [FILE]                                the configuration as a plant file (stdout without FILE)
  import FILE [--dry-run] [--prune] [--json]   apply a plant file, all or nothing (FILE "-": stdin)
  user add NAME --role ROLE                    password from ALARMCTL_PASSWORD, else asked
  user passwd NAME
  user list [--json]
  backup FILE                                  a consistent copy of the SQLite database, server running or not
DATABASE selects the database as for the server (default db/alarms.sqlite).
To write, alarmctl needs a SQLite database to itself: stop the server, or use its REST API.`;

// stdout carries what a command prints (an export, say); the journal's complaints go to stderr.
const stderrLog: Logger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(`warn: ${m}`),
  error: (m) => console.error(`error: ${m}`),
};

/** Who the journal says acted: there is no signed-in user, so alarmctl and the account it ran under. */
function actor(): string {
  try {
    return `alarmctl:${userInfo().username}`;
  } catch {
    return 'alarmctl'; // a container without a passwd entry for its uid
  }
}

interface Session {
  db: Db;
  journal: Journal;
  config: ConfigIoService;
}

/** Opens the database, runs `work`, then writes what the journal holds and closes. */
async function withDatabase<T>(access: Access, work: (s: Session) => Promise<T>): Promise<T> {
  const database = loadConfig(process.env).database;
  const db = await openCliDatabase(database, (await currentRuntime()).openSqlite, access);
  const journal = createJournal(journalStoreFor(db), systemClock(), stderrLog);
  // No engine, poller or notifier runs here; servers on PostgreSQL learn of the changes from the journal.
  const config = configIoService({ db, journal, changed: () => {}, settled: async () => {}, whileNotifierStopped: (_id, edit) => edit() });
  try {
    return await work({ db, journal, config });
  } finally {
    await journal.flush();
    await db.destroy();
  }
}

const usage = (problem: string) => new CliFailure(`${problem}\n${USAGE}`, EXIT.usage);

function one(args: string[], what: string): string {
  if (args.length !== 1) throw usage(`expected ${what}`);
  return args[0]!;
}

/** Runs one command; resolves with what to print. */
async function run(argv: string[]): Promise<string | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      prune: { type: 'boolean' },
      json: { type: 'boolean' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined) return USAGE;
  const json = values.json ?? false;
  switch (command) {
    case 'export':
      if (args.length > 1) throw usage('export takes at most a FILE');
      return withDatabase('read', ({ config }) => exportCommand(config, args[0]));
    case 'import': {
      const file = one(args, 'import FILE');
      const flags = { dryRun: values['dry-run'] ?? false, prune: values.prune ?? false, json };
      return withDatabase(flags.dryRun ? 'read' : 'create', ({ config }) => importCommand(config, file, flags, actor()));
    }
    case 'user': {
      const [verb, ...names] = args;
      if (verb === 'list') return withDatabase('read', ({ db, journal }) => userList(userService(db, journal), json));
      const name = one(names, `user ${verb ?? 'add|passwd|list'} NAME`);
      if (verb === 'add') {
        const password = await readPassword(process.env); // asked before the database is held
        return withDatabase('create', ({ db, journal }) => userAdd(userService(db, journal), name, values.role, password, actor()));
      }
      if (verb === 'passwd') {
        const password = await readPassword(process.env);
        return withDatabase('write', ({ db, journal }) => userPasswd(db, userService(db, journal), name, password, actor()));
      }
      throw usage(`unknown user command "${verb}"`);
    }
    case 'backup': {
      const file = one(args, 'backup FILE');
      if (isPostgresUrl(loadConfig(process.env).database))
        throw new CliFailure('DATABASE is PostgreSQL: back it up with pg_dump', EXIT.usage);
      return withDatabase('read', ({ db }) => backupCommand(db, file));
    }
    default:
      throw usage(`unknown command "${command}"`);
  }
}

/** What went wrong, for a person at a terminal; returns the exit code. */
function explain(err: unknown): number {
  if (err instanceof CliFailure) {
    console.error(err.message);
    return err.exitCode;
  }
  if (err instanceof AppError) {
    console.error(`${err.message}${err.details.length > 0 ? ':' : ''}`);
    for (const d of err.details) console.error(`  ${d.path || '(file)'}: ${d.message}`);
    return EXIT.failed;
  }
  if (err instanceof ConfigError) {
    console.error(err.message);
    return EXIT.usage;
  }
  if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return EXIT.failed;
}

// exitCode rather than exit(): a large export to a pipe is written out before the process ends.
run(process.argv.slice(2)).then(
  (output) => {
    if (output) process.stdout.write(`${output}\n`);
  },
  (err: unknown) => {
    process.exitCode = explain(err);
  },
);
