import { f, migration, op } from 'voltjs/orm';

export default migration({
  dependencies: ['library/0001_initial'],
  operations: [
    // Existing rows get the default: ''.
    op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' })),
    // Data, in the same transaction; `backward` makes it reversible.
    op.runSql({
      forward: "update library_book set isbn = 'unknown' where isbn = ''",
      backward: [],
    }),
  ],
});
