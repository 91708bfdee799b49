import { f, model } from 'voltjs/orm';

export const Author = model('library.Author', { name: f.string({ maxLength: 100 }) });

export const Book = model('library.Book', {
  title: f.string({ maxLength: 200 }),
  author: f.foreignKey('library.Author', { onDelete: 'cascade' }),
  isbn: f.string({ maxLength: 13, default: '' }),
});
