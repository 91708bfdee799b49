/**
 * The models: each one is a table, typed rows and inputs, and the schemas the routes validate
 * with. After changing one, run `npm run makemigrations` and commit the migration it writes.
 */
import { f, model } from '{{volt}}/orm';

export const Note = model(
  'notes.Note',
  {
    title: f.string({ maxLength: 200 }),
    body: f.text({ default: '' }),
    created: f.datetime({ autoNowAdd: true }),
  },
  { ordering: ['-created'] },
);
