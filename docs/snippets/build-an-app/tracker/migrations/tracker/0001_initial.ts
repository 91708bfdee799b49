import { f, migration, op } from 'voltjs/orm';

export default migration({
  dependencies: ['auth/0001_initial'],
  operations: [
    op.createModel(
      'tracker.Project',
      { name: f.string({ maxLength: 100, unique: true }) },
      { ordering: ['name'] },
    ),
    op.createModel(
      'tracker.Task',
      {
        project: f.foreignKey('tracker.Project', { onDelete: 'cascade', relatedName: 'tasks' }),
        title: f.string({ maxLength: 200 }),
        done: f.boolean({ default: false }),
        owner: f.foreignKey('auth.User', { onDelete: 'cascade', relatedName: 'tasks' }),
        created: f.datetime({ autoNowAdd: true }),
      },
      { ordering: ['created'] },
    ),
  ],
});
