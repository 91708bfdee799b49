import { f, migration, op } from 'voltjs/orm';

export default migration({
  dependencies: [],
  operations: [
    op.createModel(
      'library.Author',
      {
        name: f.string({ maxLength: 100 }),
        email: f.email({ unique: true }),
        bio: f.text({ nullable: true, helpText: 'A few lines shown on the author page' }),
        born: f.date({ nullable: true }),
      },
      { ordering: ['name'] },
    ),
    op.createModel(
      'library.Tag',
      { slug: f.slug({ unique: true }), name: f.string({ maxLength: 50 }) },
      { ordering: ['name'] },
    ),
    op.createModel(
      'library.Book',
      {
        title: f.string({ maxLength: 200 }),
        isbn: f.string({ maxLength: 13, pattern: '^\\d{13}$', unique: true, label: 'ISBN' }),
        author: f.foreignKey('library.Author', { onDelete: 'protect', relatedName: 'books' }),
        price: f.decimal({ digits: 8, places: 2, min: 0 }),
        status: f.enum({ draft: 'Draft', published: 'Published' }, { default: 'draft' }),
        publishedOn: f.date({ nullable: true }),
        tags: f.manyToMany('library.Tag', { relatedName: 'books' }),
        created: f.datetime({ autoNowAdd: true }),
        updated: f.datetime({ autoNow: true }),
      },
      {
        ordering: ['title'],
        indexes: [{ name: 'library_book_status_published_on_idx', fields: ['status', '-publishedOn'] }],
        checks: [{ name: 'library_book_price_not_negative', where: { price: { gte: 0 } } }],
      },
    ),
    op.createModel(
      'library.Review',
      {
        book: f.foreignKey('library.Book', { onDelete: 'cascade', relatedName: 'reviews' }),
        reviewer: f.string({ maxLength: 100 }),
        rating: f.integer({ min: 1, max: 5 }),
        body: f.text({ default: '' }),
        created: f.datetime({ autoNowAdd: true }),
      },
      { ordering: ['-created'] },
    ),
  ],
});
