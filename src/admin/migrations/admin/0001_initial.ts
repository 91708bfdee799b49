// Volt's own migration: it imports the ORM by path, as the rest of the package does.
import { f, migration, op } from '../../../orm/index.ts';

export default migration({
  dependencies: [],
  operations: [
    op.createModel(
      'admin.Change',
      {
        at: f.datetime({ autoNowAdd: true }),
        userId: f.string({ maxLength: 64, nullable: true }),
        userName: f.string({ maxLength: 150, default: '' }),
        action: f.enum({ create: 'Added', update: 'Changed', delete: 'Deleted' }),
        model: f.string({ maxLength: 100 }),
        objectKey: f.string({ maxLength: 255 }),
        objectText: f.string({ maxLength: 200, default: '' }),
        changes: f.json({ default: () => ({}) }),
        source: f.enum({ admin: 'Admin', request: 'Request', script: 'Script' }, { default: 'script' }),
      },
      {
        ordering: ['-at', '-id'],
        indexes: [
          { name: 'admin_change_model_object_key_idx', fields: ['model', 'objectKey'] },
          { name: 'admin_change_user_id_at_idx', fields: ['userId', '-at'] },
        ],
      },
    ),
    op.createModel(
      'admin.ListSetting',
      {
        userId: f.string({ maxLength: 64 }),
        model: f.string({ maxLength: 100 }),
        columns: f.json({ default: () => [] }),
        query: f.string({ maxLength: 2000, default: '' }),
      },
      { uniqueTogether: [['userId', 'model']] },
    ),
  ],
});
