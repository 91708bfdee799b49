import { f, migration, op } from 'voltjs/orm';

export default migration({
  operations: [
    op.createModel('library.Author', { name: f.string({ maxLength: 100 }) }),
    op.createModel('library.Book', {
      title: f.string({ maxLength: 200 }),
      author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
    }),
  ],
});
