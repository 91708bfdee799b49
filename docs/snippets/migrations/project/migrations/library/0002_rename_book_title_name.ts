import { migration, op } from 'volt/orm';

export default migration({
  dependencies: ['library/0001_initial'],
  operations: [op.renameField('library.Book', 'title', 'name')],
});
