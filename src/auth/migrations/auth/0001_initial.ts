// Volt's own migration: it imports the ORM by path, as the rest of the package does.
import { f, migration, op } from '../../../orm/index.ts';

export default migration({
  dependencies: [],
  operations: [
    op.createModel(
      'auth.Permission',
      {
        name: f.string({ maxLength: 255 }),
        app: f.string({ maxLength: 100 }),
        model: f.string({ maxLength: 100, default: '' }),
        codename: f.string({ maxLength: 100 }),
      },
      { ordering: ['app', 'model', 'codename'], uniqueTogether: [['app', 'codename']] },
    ),
    op.createModel(
      'auth.Group',
      { name: f.string({ maxLength: 150, unique: true }), permissions: f.manyToMany('auth.Permission') },
      { ordering: ['name'] },
    ),
    op.createModel(
      'auth.User',
      {
        username: f.string({
          maxLength: 150,
          unique: true,
          pattern: '^[\\w.@+-]+$',
          helpText: '150 characters or fewer: letters, digits and @ . + - _ only.',
        }),
        email: f.email({ default: '' }),
        password: f.string({ maxLength: 255, default: '', editable: false, writeOnly: true }),
        firstName: f.string({ maxLength: 150, default: '' }),
        lastName: f.string({ maxLength: 150, default: '' }),
        isActive: f.boolean({
          default: true,
          editable: false,
          helpText: 'Inactive users cannot log in and have no permissions.',
        }),
        isStaff: f.boolean({ default: false, editable: false, helpText: 'Can log into the admin.' }),
        isSuperuser: f.boolean({
          default: false,
          editable: false,
          helpText: 'Has every permission without them being given.',
        }),
        lastLogin: f.datetime({ nullable: true, editable: false }),
        dateJoined: f.datetime({ autoNowAdd: true }),
        groups: f.manyToMany('auth.Group'),
        userPermissions: f.manyToMany('auth.Permission'),
      },
      { ordering: ['username'] },
    ),
    op.createModel('auth.Session', {
      key: f.string({ maxLength: 64, primaryKey: true }),
      userId: f.string({ maxLength: 64, nullable: true, index: true }),
      data: f.json({ default: () => ({}) }),
      expiresAt: f.datetime({ index: true }),
      lastSeen: f.datetime(),
    }),
    op.createModel(
      'auth.Token',
      {
        keyHash: f.string({ maxLength: 64, unique: true }),
        prefix: f.string({ maxLength: 16 }),
        name: f.string({ maxLength: 100 }),
        userId: f.string({ maxLength: 64, index: true }),
        created: f.datetime({ autoNowAdd: true }),
        expiresAt: f.datetime({ nullable: true }),
        lastUsed: f.datetime({ nullable: true }),
      },
      { ordering: ['-created'] },
    ),
  ],
});
