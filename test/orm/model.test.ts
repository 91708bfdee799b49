import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelDefinitionError } from '../../src/orm/fields/field.ts';
import { f } from '../../src/orm/fields/index.ts';
import { type AnyModel, model } from '../../src/orm/model.ts';
import { createRegistry } from '../../src/orm/registry.ts';
import { library } from './model-fixtures.ts';

describe('model meta', () => {
  test('names: app, name, label, table, verbose names', () => {
    const { Book, BookTag } = library();
    assert.equal(Book.meta.app, 'library');
    assert.equal(Book.meta.name, 'Book');
    assert.equal(Book.meta.label, 'library.Book');
    assert.equal(Book.label, 'library.Book');
    assert.equal(Book.meta.table, 'library_book');
    assert.equal(BookTag.meta.table, 'library_book_tag');
    assert.equal(BookTag.meta.verboseName, 'book tag');
    assert.equal(BookTag.meta.verboseNamePlural, 'book tags');
  });

  test('table and verbose names can be set', () => {
    const registry = createRegistry();
    const Category = model(
      'shop.Category',
      { name: f.string({ maxLength: 50 }) },
      { registry, table: 'categories', verboseName: 'kind' },
    );
    assert.equal(Category.meta.table, 'categories');
    assert.equal(Category.meta.verboseName, 'kind');
    assert.equal(Category.meta.verboseNamePlural, 'kinds');
    const Box = model('shop.Box', { name: f.string({ maxLength: 50 }) }, { registry });
    assert.equal(Box.meta.verboseNamePlural, 'boxes');
    const Company = model('shop.Company', { name: f.string({ maxLength: 50 }) }, { registry });
    assert.equal(Company.meta.verboseNamePlural, 'companies');
  });

  test('fields in declaration order, the auto id first', () => {
    const { Author, Book } = library();
    assert.deepEqual(Author.meta.fieldNames, [
      'id',
      'firstName',
      'lastName',
      'email',
      'born',
      'passwordHash',
    ]);
    assert.deepEqual(Book.meta.fieldNames, [
      'id',
      'title',
      'isbn',
      'price',
      'status',
      'pages',
      'author',
      'editor',
      'tags',
      'views',
      'created',
      'updated',
    ]);
    assert.deepEqual(Object.keys(Author.fields), ['firstName', 'lastName', 'email', 'born', 'passwordHash']);
    assert.equal(Author.fields.firstName, Author.meta.field('firstName'));
  });

  test('columns: snake_case, dbColumn, <name>_id for foreign keys, none for many-to-many', () => {
    const { Author, Book } = library();
    assert.equal(Author.meta.field('firstName').column, 'first_name');
    assert.equal(Book.meta.field('isbn').column, 'isbn13');
    assert.equal(Book.meta.field('author').column, 'author_id');
    assert.equal(Book.meta.field('author').attribute, 'authorId');
    assert.equal(Book.meta.field('tags').column, null);
    assert.deepEqual(
      Book.meta.concreteFields.map((field) => field.column),
      [
        'id',
        'title',
        'isbn13',
        'price',
        'status',
        'pages',
        'author_id',
        'editor_id',
        'views',
        'created',
        'updated',
      ],
    );
  });

  test('labels default from the name; helpText and flags are kept', () => {
    const { Author, Book } = library();
    assert.equal(Author.meta.field('firstName').label, 'First name');
    assert.equal(Author.meta.field('passwordHash').label, 'Password hash');
    assert.equal(Author.meta.field('id').label, 'ID');
    assert.equal(Author.meta.field('lastName').helpText, 'As printed on the cover');
    assert.equal(Author.meta.field('passwordHash').writeOnly, true);
    assert.equal(Author.meta.field('email').unique, true);
    assert.equal(Author.meta.field('born').nullable, true);
    assert.equal(Book.meta.field('views').editable, false);
    assert.equal(Book.meta.field('created').autoNowAdd, true);
    assert.equal(Book.meta.field('created').editable, false);
    assert.equal(Book.meta.field('updated').autoNow, true);
    assert.equal(Book.meta.field('isbn').pattern, '^\\d{13}$');
    assert.equal(Book.meta.field('price').min, 0);
    assert.deepEqual(Book.meta.field('status').choices, [
      { value: 'draft', label: 'Draft' },
      { value: 'published', label: 'Published' },
    ]);
  });

  test('defaults: values and functions', () => {
    const { Book } = library();
    assert.equal(Book.meta.field('status').getDefault(), 'draft');
    assert.equal(Book.meta.field('views').getDefault(), 0);
    const a = Book.meta.field('id').getDefault();
    assert.match(String(a), /^[0-9a-f-]{36}$/);
    assert.notEqual(a, Book.meta.field('id').getDefault());
    assert.equal(Book.meta.field('title').hasDefault, false);
    assert.equal(Book.meta.field('title').getDefault(), undefined);
  });

  test('primary key: an auto bigint id, or the field marked primaryKey', () => {
    const { Author, Book, Tag } = library();
    assert.equal(Author.meta.pk.name, 'id');
    assert.equal(Author.meta.pk.kind, 'auto');
    assert.equal(Author.meta.pk.editable, false);
    assert.equal(Author.meta.pk.columnType('postgres'), 'bigint');
    assert.equal(Author.meta.pk.columnType('sqlite'), 'INTEGER');
    assert.equal(Book.meta.pk.kind, 'uuid');
    assert.equal(Tag.meta.pk.name, 'slug');
    assert.ok(!Tag.meta.hasField('id'));
  });

  test('ordering, indexes, uniqueTogether and checks', () => {
    const { Author, Book, BookTag } = library();
    assert.deepEqual(Author.meta.ordering, ['lastName', 'firstName']);
    assert.deepEqual(Book.meta.ordering, ['-created', 'title']);
    assert.deepEqual(Book.meta.indexes, [
      { name: 'library_book_author_id_created_idx', fields: ['author', '-created'], unique: false },
    ]);
    assert.deepEqual(BookTag.meta.uniqueTogether, [['book', 'tag']]);
    assert.deepEqual(Book.meta.checks, [
      { name: 'price_not_negative', where: { price: { gte: 0 } } },
      { name: 'title_not_blank', rawSql: "title <> ''" },
    ]);
  });

  test('long index names are cut to 63 characters and kept unique by a hash', () => {
    const registry = createRegistry();
    const Wide = model(
      'warehouse.ExtraordinarilyLongModelName',
      { aVeryLongFieldNameIndeed: f.integer(), anotherVeryLongFieldName: f.integer() },
      { registry, indexes: [{ fields: ['aVeryLongFieldNameIndeed', 'anotherVeryLongFieldName'] }] },
    );
    const name = Wide.meta.indexes[0]!.name;
    assert.ok(name.length <= 63, name);
    assert.match(name, /_idx$/);
  });

  test('field(name) names the model and its fields when the name is wrong', () => {
    const { Book } = library();
    assert.throws(() => Book.meta.field('titel'), {
      name: 'ModelDefinitionError',
      message: /^library\.Book has no field 'titel'; its fields are: id, title, isbn/,
    });
    assert.throws(() => Book.meta.field('authorId'), /'authorId' is the row key of the field 'author'/);
  });

  test('models and meta are frozen', () => {
    const { Book } = library();
    assert.ok(Object.isFrozen(Book));
    assert.ok(Object.isFrozen(Book.meta));
    assert.ok(Object.isFrozen(Book.meta.fields));
    assert.ok(Object.isFrozen(Book.meta.field('title')));
    assert.throws(() => {
      (Book.meta as { table: string }).table = 'x';
    }, TypeError);
  });

  test('a field declared once can be used by two models', () => {
    const registry = createRegistry();
    const name = f.string({ maxLength: 20 });
    const A = model('app.A', { name }, { registry });
    const B = model('app.B', { title: name }, { registry });
    assert.equal(A.meta.field('name').model, A);
    assert.equal(B.meta.field('title').model, B);
    assert.equal(B.meta.field('title').label, 'Title');
    assert.equal(name.name, '');
  });
});

describe('relations', () => {
  test('forward relations resolve their targets lazily', () => {
    const { Author, Book, Tag, BookTag } = library();
    assert.deepEqual(
      Book.meta.forwardRelations.map((r) => r.name),
      ['author', 'editor', 'tags'],
    );
    const author = Book.meta.forwardRelations[0]!;
    assert.equal(author.target, Author);
    assert.equal(author.onDelete, 'cascade');
    assert.equal(Book.meta.forwardRelations[1]!.target, Author);
    const tags = Book.meta.forwardRelations[2]!;
    assert.equal(tags.kind, 'manyToMany');
    assert.equal(tags.target, Tag);
    assert.equal(tags.through, BookTag);
    assert.equal(tags.throughTable, 'library_book_tag');
  });

  test('a many-to-many without through gets a join table named after the field', () => {
    const registry = createRegistry();
    const Tag = model('blog.Tag', { name: f.string({ maxLength: 20 }) }, { registry });
    const Post = model('blog.Post', { labels: f.manyToMany(() => Tag) }, { registry });
    assert.equal(Post.meta.relation('labels').throughTable, 'blog_post_labels');
  });

  test('reverse relations: <model>Set by default, relatedName when given', () => {
    const { Author, Book, Tag, BookTag, Review } = library();
    assert.deepEqual(
      Author.meta.reverseRelations.map((r) => [r.name, r.model, r.field.name, r.many]),
      [
        ['bookSet', Book, 'author', true],
        ['edited', Book, 'editor', true],
      ],
    );
    assert.deepEqual(
      Tag.meta.reverseRelations.map((r) => [r.name, r.model, r.kind]),
      [
        ['bookSet', Book, 'manyToMany'],
        ['bookLinks', BookTag, 'foreignKey'],
      ],
    );
    assert.deepEqual(
      Book.meta.reverseRelations.map((r) => r.name),
      ['bookTagSet', 'reviews'],
    );
    assert.deepEqual(Review.meta.reverseRelations, []);
  });

  test('reverse relations follow models registered later; one-to-one is not a set', () => {
    const registry = createRegistry();
    const User = model('accounts.User', { email: f.email() }, { registry });
    assert.equal(User.meta.reverseRelations.length, 0);
    const Profile = model(
      'accounts.Profile',
      { user: f.oneToOne(() => User, { onDelete: 'cascade' }) },
      { registry },
    );
    assert.deepEqual(
      User.meta.reverseRelations.map((r) => [r.name, r.model, r.many]),
      [['profile', Profile, false]],
    );
    assert.equal(Profile.meta.field('user').unique, true);
  });

  test("labels resolve in the model's registry, in its app by default, and 'self'", () => {
    const registry = createRegistry();
    const Category = model(
      'shop.Category',
      { parent: f.foreignKey('self', { onDelete: 'cascade', nullable: true, relatedName: 'children' }) },
      { registry },
    );
    const Item = model(
      'shop.Item',
      { category: f.foreignKey('Category', { onDelete: 'protect' }) },
      { registry },
    );
    assert.equal(Category.meta.forwardRelations[0]!.target, Category);
    assert.equal(Item.meta.forwardRelations[0]!.target, Category);
    assert.deepEqual(
      Category.meta.reverseRelations.map((r) => r.name),
      ['children', 'itemSet'],
    );
  });

  test('an unknown target is a clear error when resolved', () => {
    const registry = createRegistry();
    const Item = model(
      'shop.Item',
      { maker: f.foreignKey('shop.Maker', { onDelete: 'cascade' }) },
      { registry },
    );
    assert.throws(() => Item.meta.forwardRelations[0]!.target, {
      name: 'ModelDefinitionError',
      message: "shop.Item.maker: the target 'shop.Maker' is not a registered model (registered: shop.Item)",
    });
  });

  test('two reverse relations with the same name are refused', () => {
    const registry = createRegistry();
    const Person = model('crm.Person', { name: f.string({ maxLength: 20 }) }, { registry });
    model(
      'crm.Deal',
      {
        owner: f.foreignKey(() => Person, { onDelete: 'cascade' }),
        buyer: f.foreignKey(() => Person, { onDelete: 'cascade' }),
      },
      { registry },
    );
    assert.throws(
      () => Person.meta.reverseRelations,
      /crm\.Deal\.buyer: its reverse name 'dealSet' on crm\.Person is taken by crm\.Deal\.owner; give one of them relatedName/,
    );
  });
});

describe('definition errors', () => {
  const registry = () => createRegistry();
  const cases: [string, () => unknown, RegExp][] = [
    ['a string without maxLength', () => f.string({} as never), /f\.string\(\) needs a maxLength/],
    [
      'decimal places > digits',
      () => f.decimal({ digits: 4, places: 5 }),
      /places \(5\) cannot be more than digits \(4\)/,
    ],
    ['decimal without digits', () => f.decimal({} as never), /needs digits from 1 to 1000/],
    ['min > max', () => f.integer({ min: 5, max: 1 }), /min \(5\) is greater than max \(1\)/],
    ['a bad pattern', () => f.string({ maxLength: 5, pattern: '(' }), /is not a valid regular expression/],
    ['an empty enum', () => f.enum([]), /needs at least one value/],
    [
      'setNull on a non-nullable foreign key',
      () => f.foreignKey('a.B', { onDelete: 'setNull' }),
      /onDelete: 'setNull' needs a nullable foreign key/,
    ],
    [
      'setDefault without a default',
      () => f.foreignKey('a.B', { onDelete: 'setDefault' }),
      /onDelete: 'setDefault' needs a default/,
    ],
    [
      'a foreign key without onDelete',
      () => f.foreignKey('a.B', {} as never),
      /needs onDelete: one of 'cascade'/,
    ],
    ['a bad label', () => model('Book', {}, { registry: registry() }), /should be 'app\.Name'/],
    [
      'a lower-case model name',
      () => model('library.book', {}, { registry: registry() }),
      /should be 'app\.Name'/,
    ],
    [
      'a bad field name',
      () => model('a.B', { 'first-name': f.text() }, { registry: registry() }),
      /a\.B: field name 'first-name' should be letters and digits/,
    ],
    ['not a field', () => model('a.B', { x: 1 as never }, { registry: registry() }), /'x' is not a field/],
    [
      'two primary keys',
      () =>
        model(
          'a.B',
          { x: f.integer({ primaryKey: true }), y: f.integer({ primaryKey: true }) },
          { registry: registry() },
        ),
      /only one field can be the primary key, got x, y/,
    ],
    [
      'a nullable primary key',
      () => model('a.B', { x: f.integer({ primaryKey: true, nullable: true }) }, { registry: registry() }),
      /the primary key 'x' cannot be nullable/,
    ],
    [
      'an id that is not the primary key',
      () => model('a.B', { id: f.integer() }, { registry: registry() }),
      /a field named 'id' must be the primary key/,
    ],
    [
      'a field clashing with a foreign key row key',
      () =>
        model(
          'a.B',
          { owner: f.foreignKey('self', { onDelete: 'cascade' }), ownerId: f.integer() },
          { registry: registry() },
        ),
      /fields 'owner' and 'ownerId' both use the name 'ownerId'/,
    ],
    [
      'two fields on one column',
      () => model('a.B', { x: f.integer({ dbColumn: 'y' }), y: f.integer() }, { registry: registry() }),
      /fields 'x' and 'y' both use column y/,
    ],
    [
      'ordering by an unknown field',
      () => model('a.B', { x: f.integer() }, { registry: registry(), ordering: ['-z' as never] }),
      /ordering names 'z', which is not a field \(fields: id, x\)/,
    ],
    [
      'an index on a many-to-many',
      () =>
        model(
          'a.B',
          { tags: f.manyToMany('self') },
          { registry: registry(), indexes: [{ fields: ['tags' as never] }] },
        ),
      /an index names 'tags', a many-to-many field, which has no column/,
    ],
    [
      'a one-field uniqueTogether',
      () => model('a.B', { x: f.integer() }, { registry: registry(), uniqueTogether: [['x']] }),
      /needs two or more fields/,
    ],
    [
      'a check with an unknown operator',
      () =>
        model(
          'a.B',
          { x: f.integer() },
          { registry: registry(), checks: [{ name: 'c', where: { x: { above: 1 } as never } }] },
        ),
      /check 'c' uses 'above' on 'x'/,
    ],
    [
      'two checks with one name',
      () =>
        model(
          'a.B',
          { x: f.integer() },
          {
            registry: registry(),
            checks: [
              { name: 'c', rawSql: 'x > 0' },
              { name: 'c', rawSql: 'x < 9' },
            ],
          },
        ),
      /two checks are named 'c'/,
    ],
    [
      "an index repeating a field's index: true (both would be named <table>_<column>_idx)",
      () =>
        model(
          'a.B',
          { x: f.integer({ index: true }) },
          { registry: registry(), indexes: [{ fields: ['x'] }] },
        ),
      /the index on 'x' repeats its index: true/,
    ],
  ];
  for (const [name, define, message] of cases) {
    test(name, () => {
      assert.throws(define, (error: unknown) => {
        assert.ok(error instanceof ModelDefinitionError, String(error));
        assert.equal(error.code, 'VOLT_ORM_DEFINITION');
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe('registry', () => {
  test('models by label, in registration order', () => {
    const { registry, Author, Book } = library();
    assert.equal(registry.get('library.Author'), Author);
    assert.equal(registry.find('library.Nope'), undefined);
    assert.deepEqual(registry.labels(), [
      'library.Author',
      'library.Tag',
      'library.Book',
      'library.BookTag',
      'library.Review',
    ]);
    assert.equal(registry.all()[2], Book);
  });

  test('an unknown label lists the known ones', () => {
    const { registry } = library();
    assert.throws(
      () => registry.get('library.Bok'),
      /no model labelled 'library\.Bok' \(registered: library\.Author,/,
    );
  });

  test('a duplicate label is refused', () => {
    const { registry } = library();
    assert.throws(
      () => model('library.Book', { x: f.integer() }, { registry }),
      /a model labelled 'library\.Book' is already registered/,
    );
  });

  test('separate registries do not see each other; clear() empties one', () => {
    const one = library();
    const two = library();
    assert.notEqual(one.Book, two.Book);
    assert.equal(one.Author.meta.reverseRelations[0]!.model, one.Book);
    one.registry.clear();
    assert.deepEqual(one.registry.all(), []);
    assert.equal(two.registry.all().length, 5);
  });
});

test('meta.relation(name) finds relation fields only', () => {
  const { Author, Book } = library();
  assert.equal(Book.meta.relation('author').target, Author);
  assert.throws(
    () => Book.meta.relation('title'),
    /library\.Book\.title is not a relation; its relations are: author, editor, tags/,
  );
});

test('reverse relations skip targets not declared yet, and pick them up once they are', () => {
  const registry = createRegistry();
  let customer: AnyModel | undefined;
  const Order = model(
    'shop.Order',
    {
      // As `() => Customer` would before `const Customer` runs (the temporal dead zone).
      customer: f.foreignKey(
        () => {
          if (!customer) throw new ReferenceError("Cannot access 'Customer' before initialization");
          return customer;
        },
        { onDelete: 'protect' },
      ),
      note: f.foreignKey('shop.Note', { onDelete: 'cascade' }),
    },
    { registry },
  );
  assert.equal(Order.meta.reverseRelations.length, 0);
  customer = model('shop.Customer', { name: f.string({ maxLength: 20 }) }, { registry });
  assert.deepEqual(
    customer.meta.reverseRelations.map((r) => r.name),
    ['orderSet'],
  );
  assert.throws(
    () => Order.meta.relation('note').target,
    /the target 'shop\.Note' is not a registered model/,
  );
});
