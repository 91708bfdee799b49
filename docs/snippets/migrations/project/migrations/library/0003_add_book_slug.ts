import { f, migration, op, query } from 'voltjs/orm';

export default migration({
  dependencies: ['library/0002_rename_book_title_name'],
  operations: [
    op.addField('library.Book', 'slug', f.slug({ default: '' })),
    // Written by hand after `volt makemigrations library --name add_book_slug`: a data step,
    // with the models as they are at this point of the history (not the app's models).
    op.runCode({
      forward: async ({ db, models }) => {
        const Book = models.model('library.Book');
        for (const book of await query(db, Book).all()) {
          const slug = String(book.name)
            .toLowerCase()
            .replaceAll(/[^a-z0-9]+/g, '-');
          await query(db, Book).filter({ id: book.id }).update({ slug });
        }
      },
      backward: async () => {},
    }),
  ],
});
