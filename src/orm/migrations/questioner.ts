/**
 * The questions the autodetector cannot answer alone: was a field or model renamed (or
 * removed and another added), and which value existing rows get in a new required column.
 * Interactive runs ask on the terminal; non-interactive runs (CI, `--no-input`) take the
 * answers given on the command line and fail with the fix named when one is missing.
 */
import { createInterface } from 'node:readline/promises';
import type { AnyField } from '../fields/field.ts';

/** Answers the autodetector's questions. */
export interface Questioner {
  /** `true` when `oldLabel` was renamed to `newLabel` (same app, same fields). */
  askRenameModel(oldLabel: string, newLabel: string): Promise<boolean>;
  /** `true` when the field `oldName` of `label` was renamed to `newName`. */
  askRenameField(label: string, oldName: string, newName: string): Promise<boolean>;
  /**
   * A one-off value for the existing rows of `label` when the non-nullable field `name`
   * (without a default) is added. Throws a `MissingAnswerError` when none can be given.
   */
  askAddDefault(label: string, name: string, field: AnyField): Promise<unknown>;
  /**
   * `true` to make the many-to-many `name` of `label` (to its own model), which the migrations
   * describe as one-way, symmetrical as the model now declares it; the migration then adds the
   * missing row back of each link (not for a `through` model, whose label is given: its rows
   * are the user's to mirror). `false`, or no such method, stops with the fixes named.
   */
  askSymmetrical?(label: string, name: string, through: string | undefined): Promise<boolean>;
}

/** A question a non-interactive run cannot answer. Stable code: `VOLT_MIGRATION_ANSWER`. */
export class MissingAnswerError extends Error {
  override readonly name = 'MissingAnswerError';
  readonly code = 'VOLT_MIGRATION_ANSWER';
}

/** A rename given in advance: a field (`library.Book.title=name`) or a model (`library.Book=Novel`). */
export type Rename =
  | { readonly kind: 'field'; readonly label: string; readonly from: string; readonly to: string }
  | { readonly kind: 'model'; readonly from: string; readonly to: string };

/**
 * Parses `--rename` values: `library.Book.title=name` (a field) or `library.Book=Novel` /
 * `library.Book=library.Novel` (a model); several may be given separated by commas.
 *
 * @example
 * ```ts
 * parseRenames(['library.Book.title=name']);
 * // [{ kind: 'field', label: 'library.Book', from: 'title', to: 'name' }]
 * ```
 */
export function parseRenames(values: readonly string[]): Rename[] {
  const renames: Rename[] = [];
  for (const value of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    const field =
      /^([a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*)\.([a-zA-Z][a-zA-Z0-9]*)=([a-zA-Z][a-zA-Z0-9]*)$/u.exec(value);
    if (field) {
      renames.push({ kind: 'field', label: field[1]!, from: field[2]!, to: field[3]! });
      continue;
    }
    const model =
      /^([a-z][a-z0-9_]*)\.([A-Z][A-Za-z0-9]*)=(?:([a-z][a-z0-9_]*)\.)?([A-Z][A-Za-z0-9]*)$/u.exec(value);
    if (model) {
      if (model[3] && model[3] !== model[1])
        throw new MissingAnswerError(
          `--rename ${value}: a model can only be renamed within its app (${model[1]})`,
        );
      renames.push({ kind: 'model', from: `${model[1]}.${model[2]}`, to: `${model[1]}.${model[4]}` });
      continue;
    }
    throw new MissingAnswerError(
      `--rename ${value} is not a rename; write library.Book.title=name for a field or library.Book=Novel for a model`,
    );
  }
  return renames;
}

function givenField(renames: readonly Rename[], label: string, from: string, to: string): boolean {
  return renames.some((r) => r.kind === 'field' && r.label === label && r.from === from && r.to === to);
}

function givenModel(renames: readonly Rename[], from: string, to: string): boolean {
  return renames.some((r) => r.kind === 'model' && r.from === from && r.to === to);
}

/** The error for a new required field without a value for existing rows. */
function missingDefault(label: string, name: string): MissingAnswerError {
  return new MissingAnswerError(
    `Cannot add the non-nullable field '${name}' to ${label} without a default: its existing rows need a value. ` +
      `Give the field a default (default: …), make it nullable (nullable: true), ` +
      `or run makemigrations in a terminal to type a one-off value for the existing rows.`,
  );
}

/**
 * The error when a one-way many-to-many to its own model would become symmetrical without
 * being confirmed.
 */
export function symmetricalRefused(label: string, name: string): MissingAnswerError {
  return new MissingAnswerError(
    `${label}.${name} is a many-to-many to its own model that the migrations describe as one-way ` +
      `(as every such relation was before they became symmetrical by default, as Django's), and the ` +
      `model now makes it symmetrical: linking a to b would link b to a. To keep it one-way, add ` +
      `symmetrical: false to the field (no migration is needed). To make it symmetrical, run ` +
      `makemigrations in a terminal and confirm: the migration then adds the missing row back of each link.`,
  );
}

/**
 * Answers from the command line only: a rename is accepted when `--rename` names it; a new
 * required field without a default, or a one-way many-to-many to its own model becoming
 * symmetrical, is an error naming the fixes.
 *
 * @example
 * ```ts
 * const questioner = new NonInteractiveQuestioner(parseRenames(['library.Book.title=name']));
 * ```
 */
export class NonInteractiveQuestioner implements Questioner {
  readonly #renames: readonly Rename[];

  constructor(renames: readonly Rename[] = []) {
    this.#renames = renames;
  }

  async askRenameModel(oldLabel: string, newLabel: string): Promise<boolean> {
    return givenModel(this.#renames, oldLabel, newLabel);
  }

  async askRenameField(label: string, oldName: string, newName: string): Promise<boolean> {
    return givenField(this.#renames, label, oldName, newName);
  }

  async askAddDefault(label: string, name: string): Promise<unknown> {
    throw missingDefault(label, name);
  }

  async askSymmetrical(): Promise<boolean> {
    return false;
  }
}

/** Where an interactive questioner reads and writes. */
export interface Terminal {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * Asks on a terminal. Renames given with `--rename` are not asked again. A one-off value is
 * typed as JSON (`""`, `0`, `false`, `"2026-01-01"`); an empty answer gives up with the
 * same error as a non-interactive run.
 */
export class InteractiveQuestioner implements Questioner {
  readonly #terminal: Terminal;
  readonly #renames: readonly Rename[];

  constructor(terminal: Terminal, renames: readonly Rename[] = []) {
    this.#terminal = terminal;
    this.#renames = renames;
  }

  async #ask(question: string): Promise<string> {
    const rl = createInterface({
      input: this.#terminal.input,
      output: this.#terminal.output,
      terminal: false,
    });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  }

  async #yes(question: string): Promise<boolean> {
    for (;;) {
      const answer = (await this.#ask(`${question} [y/N] `)).toLowerCase();
      if (answer === '' || answer === 'n' || answer === 'no') return false;
      if (answer === 'y' || answer === 'yes') return true;
    }
  }

  async askRenameModel(oldLabel: string, newLabel: string): Promise<boolean> {
    if (givenModel(this.#renames, oldLabel, newLabel)) return true;
    return this.#yes(`Was the model ${oldLabel} renamed to ${newLabel}?`);
  }

  async askRenameField(label: string, oldName: string, newName: string): Promise<boolean> {
    if (givenField(this.#renames, label, oldName, newName)) return true;
    return this.#yes(`Was ${label}.${oldName} renamed to ${newName}?`);
  }

  async askSymmetrical(label: string, name: string, through: string | undefined): Promise<boolean> {
    this.#terminal.output.write(
      `${label}.${name} is a many-to-many to its own model. The migrations describe it one-way ` +
        `(a linked to b does not make b linked to a); the model makes it symmetrical, the default now, as Django's.\n` +
        (through
          ? `Its rows are ${through} rows, which this migration does not mirror: add the row back of each link ` +
            `in a data migration (op.runCode).\n`
          : 'This migration then adds the missing row back of each existing link.\n'),
    );
    return this.#yes(`Make ${label}.${name} symmetrical? (No: add symmetrical: false to keep it one-way)`);
  }

  async askAddDefault(label: string, name: string, field: AnyField): Promise<unknown> {
    this.#terminal.output.write(
      `The new field ${label}.${name} is not nullable and has no default; the rows that exist need a value.\n`,
    );
    for (;;) {
      const answer = await this.#ask('One-off value as JSON (empty to stop and edit the model): ');
      if (answer === '') throw missingDefault(label, name);
      let value: unknown;
      try {
        value = JSON.parse(answer);
      } catch {
        this.#terminal.output.write(`${answer} is not JSON; strings need quotes: "text".\n`);
        continue;
      }
      // A relation's check needs its target model, which an unbound field does not have yet.
      const [issue] = field.kind === 'foreignKey' || field.kind === 'oneToOne' ? [] : field.check(value);
      if (!issue) return value;
      this.#terminal.output.write(`${issue.msg}.\n`);
    }
  }
}
