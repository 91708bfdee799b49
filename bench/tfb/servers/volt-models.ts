/**
 * The two TechEmpower tables as Volt models, mapped onto the tables the harness creates
 * (bench/tfb/database.ts): `world (id, randomnumber)` and `fortune (id, message)`.
 */
import { f, model } from 'voltjs/orm';

/** A row of `world`: 10,000 of them, ids 1..10000, `randomNumber` in 1..10000. */
export const World = model(
  'tfb.World',
  {
    id: f.integer({ primaryKey: true }),
    // The column keeps TechEmpower's spelling; the attribute is what the JSON answers carry.
    randomNumber: f.integer({ dbColumn: 'randomnumber' }),
  },
  { table: 'world' },
);

/** A row of `fortune`: the twelve standard fortunes. */
export const Fortune = model(
  'tfb.Fortune',
  {
    id: f.integer({ primaryKey: true }),
    message: f.string({ maxLength: 2048 }),
  },
  { table: 'fortune' },
);
