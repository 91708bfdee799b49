import assert from 'node:assert/strict';
import {
  createRegistry,
  detectChanges,
  f,
  model,
  NonInteractiveQuestioner,
  ProjectState,
  parseRenames,
  planMigrations,
  writeMigration,
} from 'voltjs/orm';

// Two versions of a model: `title` became `name`, and `isbn` is new.
function library(version: 1 | 2) {
  const registry = createRegistry();
  model(
    'library.Book',
    version === 1
      ? { title: f.string({ maxLength: 200 }) }
      : { name: f.string({ maxLength: 200 }), isbn: f.string({ maxLength: 13, default: '' }) },
    { registry },
  );
  return ProjectState.fromModels(registry.all());
}

// A removed and an added field declared alike may be a rename: the questioner decides
// (`--rename library.Book.title=name` on the command line).
const questioner = new NonInteractiveQuestioner(parseRenames(['library.Book.title=name']));
const changes = await detectChanges(library(1), library(2), questioner);
assert.deepEqual(
  changes.get('library')?.map((operation) => operation.describe()),
  ['Rename field title on library.Book to name', 'Add field isbn to library.Book'],
);

// Numbered after the app's latest migration, and named after what it does.
const latest = {
  id: 'library/0001_initial',
  app: 'library',
  name: '0001_initial',
  file: '',
  operations: [],
} as const;
const [planned] = planMigrations(changes, [latest]);
assert.equal(planned?.id, 'library/0002_rename_book_title_name_add_book_isbn');
assert.equal(
  writeMigration(planned!),
  `import { f, migration, op } from 'voltjs/orm';

export default migration({
  dependencies: ['library/0001_initial'],
  operations: [
    op.renameField('library.Book', 'title', 'name'),
    op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' })),
  ],
});
`,
);
