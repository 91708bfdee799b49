/**
 * The models: each one is a table, typed rows and inputs, and the schemas the routes validate
 * with. After changing one, run `npm run makemigrations` and commit the migration it writes.
 */
import { User } from 'voltjs/auth';
import { f, model } from 'voltjs/orm';

export const Project = model(
  'tracker.Project',
  { name: f.string({ maxLength: 100, unique: true }) },
  { ordering: ['name'] },
);

export const Task = model(
  'tracker.Task',
  {
    project: f.foreignKey(() => Project, { onDelete: 'cascade', relatedName: 'tasks' }),
    title: f.string({ maxLength: 200 }),
    done: f.boolean({ default: false }),
    owner: f.foreignKey(() => User, { onDelete: 'cascade', relatedName: 'tasks' }),
    created: f.datetime({ autoNowAdd: true }),
  },
  { ordering: ['created'] },
);
