/**
 * tracker: projects and their tasks. Anyone lists them, a logged-in user adds tasks, a task's
 * owner (or a user with tracker.change_task) changes it.
 */
import { defineApp, HttpError, t, volt } from 'voltjs';
import { auth } from 'voltjs/auth';
import { query } from 'voltjs/orm';
import { Project, Task } from './models.ts';

/** Users: the /auth routes (log in, tokens), sessions and CSRF protection. */
export const users = auth();

/** A task's owner may change it; anyone else needs the tracker.change_task permission. */
users.definePolicy(Task, {
  canChange: async (user, task?: { ownerId: number }) =>
    (user.isAuthenticated && task?.ownerId === user.id) || (await user.hasPerm('tracker.change_task')),
});

/** This project's own models; their migrations are in migrations/tracker/. */
export const tracker = defineApp({ name: 'tracker', models: [Project, Task] });

export const app = volt({ info: { title: 'tracker', version: '0.1.0' }, apps: [users, tracker] });

const ProjectId = t.Object({ id: t.Integer({ minimum: 1 }) });

app.get('/projects', { tags: ['projects'], response: { 200: t.Array(Project.schema.read) } }, (ctx) =>
  query(ctx.db, Project).all(),
);

app.post(
  '/projects',
  {
    tags: ['projects'],
    summary: 'Add a project (needs tracker.add_project)',
    dependencies: [users.requirePerm(Project, 'add')],
    status: 201,
    body: Project.schema.create,
    response: { 201: Project.schema.read },
  },
  (ctx) => query(ctx.db, Project).create(ctx.body),
);

app.get(
  '/projects/:id/tasks',
  { tags: ['tasks'], summary: "A project's tasks, with their owner's name", params: ProjectId },
  async (ctx) => {
    const tasks = await query(ctx.db, Task)
      .filter({ projectId: ctx.params.id })
      .selectRelated('owner') // the owners come in the same query
      .all();
    return tasks.map((task) => ({
      id: task.id,
      title: task.title,
      done: task.done,
      owner: task.owner.username,
    }));
  },
);

app.post(
  '/projects/:id/tasks',
  {
    tags: ['tasks'],
    summary: 'Add a task (logged in): you own it',
    deps: { user: users.requireUser }, // 401 without a login, else the user
    params: ProjectId,
    status: 201,
    body: t.Pick(Task.schema.create, ['title']),
    response: { 201: Task.schema.read },
  },
  async (ctx) => {
    const project = await query(ctx.db, Project).filter({ id: ctx.params.id }).first();
    if (!project) throw new HttpError(404, { detail: 'No such project' });
    return query(ctx.db, Task).create({
      title: ctx.body.title,
      projectId: project.id,
      ownerId: ctx.deps.user.row.id,
    });
  },
);

app.patch(
  '/tasks/:id',
  {
    tags: ['tasks'],
    summary: 'Change a task (its owner, or tracker.change_task)',
    dependencies: [users.requireUser],
    params: ProjectId,
    body: Task.schema.update,
    response: { 200: Task.schema.read },
  },
  async (ctx) => {
    const task = await query(ctx.db, Task).filter({ id: ctx.params.id }).first();
    if (!task) throw new HttpError(404, { detail: 'No such task' });
    if (!(await ctx.user.can('change', Task, task))) throw new HttpError(403);
    // The row as it is now; an empty body changes nothing.
    return query(ctx.db, Task).filter({ id: task.id }).updateOne(ctx.body);
  },
);

app.delete(
  '/tasks/:id',
  {
    tags: ['tasks'],
    summary: 'Delete a task (needs tracker.delete_task)',
    dependencies: [users.requirePerm(Task, 'delete')],
    params: ProjectId,
    status: 204,
  },
  async (ctx) => {
    await query(ctx.db, Task).filter({ id: ctx.params.id }).delete();
  },
);
