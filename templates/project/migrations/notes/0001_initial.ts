import { f, migration, op } from '{{volt}}/orm';

export default migration({
  dependencies: [],
  operations: [
    op.createModel(
      'notes.Note',
      {
        title: f.string({ maxLength: 200 }),
        body: f.text({ default: '' }),
        created: f.datetime({ autoNowAdd: true }),
      },
      { ordering: ['-created'] },
    ),
  ],
});
