import { migration, op } from 'voltjs/orm';

export default migration({
  dependencies: ['library/0001_initial'],
  operations: [op.renameField('library.Book', 'title', 'name')],
});
