/**
 * The `volt` subcommands. Each module is imported only when its command runs, so `volt --help`
 * and `volt routes` load none of the other commands' code.
 */
import type { Command } from './command.ts';

/** A subcommand as `volt --help` lists it. */
export interface CommandEntry {
  /** One line for the command list. */
  summary: string;
  load(): Promise<Command>;
}

/** The subcommands by name, in the order `volt --help` lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  new: {
    summary: 'Write a new project into a folder',
    load: async () => (await import('./commands/new.ts')).command,
  },
  start: {
    summary: 'Serve the app',
    load: async () => (await import('./commands/start.ts')).command,
  },
  dev: {
    summary: 'Serve the app and restart it when a file it imports changes',
    load: async () => (await import('./commands/dev.ts')).command,
  },
  routes: {
    summary: "List the app's routes",
    load: async () => (await import('./commands/routes.ts')).command,
  },
  openapi: {
    summary: 'Print or write the OpenAPI document',
    load: async () => (await import('./commands/openapi.ts')).command,
  },
  check: {
    summary: 'Check the settings and the app; with --deploy, the deployment (security) checks',
    load: async () => (await import('./commands/check.ts')).command,
  },
  makemigrations: {
    summary: 'Write the migrations that bring the database schema up to the models',
    load: async () => (await import('./commands/makemigrations.ts')).command,
  },
  migrate: {
    summary: 'Apply (or unapply) database migrations',
    load: async () => (await import('./commands/migrate.ts')).command,
  },
  showmigrations: {
    summary: 'List the migrations and whether each is applied',
    load: async () => (await import('./commands/showmigrations.ts')).command,
  },
  sqlmigrate: {
    summary: 'Print the SQL of a migration without running it',
    load: async () => (await import('./commands/sqlmigrate.ts')).command,
  },
  dumpdata: {
    summary: 'Print the database rows as a JSON fixture',
    load: async () => (await import('./commands/dumpdata.ts')).command,
  },
  loaddata: {
    summary: 'Load JSON fixtures into the database, in one transaction',
    load: async () => (await import('./commands/loaddata.ts')).command,
  },
  createsuperuser: {
    summary: 'Create a user with every permission',
    load: async () => (await import('./commands/createsuperuser.ts')).command,
  },
  changepassword: {
    summary: "Change a user's password",
    load: async () => (await import('./commands/changepassword.ts')).command,
  },
};
