import { f, model } from 'voltjs/orm';

export const Author = model('library.Author', { name: f.string({ maxLength: 100 }) });

export const Book = model('library.Book', {
  // `title` until 0002_rename_book_title_name.
  name: f.string({ maxLength: 200 }),
  author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
  // Added by 0003_add_book_slug, which fills it in for the books that exist.
  slug: f.slug({ default: '' }),
});
