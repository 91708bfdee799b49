import { f, migration, op } from 'voltjs/orm';

export default migration({
  dependencies: ['library/0001_initial', 'auth/0001_initial'],
  operations: [
    op.addField(
      'library.Review',
      'user',
      f.foreignKey('auth.User', { onDelete: 'setNull', nullable: true, relatedName: 'reviews' }),
    ),
  ],
});
