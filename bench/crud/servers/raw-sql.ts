/**
 * fastify-raw's SQL, by hand, on Volt's tables (bench/crud/models.ts): one statement with the
 * JOIN to the category when expanded, `limit ?` (the page size + 1). The price is decimal
 * text, compared and ordered as a number, `cast(price as real)`, which the run's expression
 * index covers (bench/crud/setup.ts). Parameters, in order: the minimum price when
 * `filtered`; the cursor's price twice and id when `after`; the limit. The id breaks ties,
 * ascending whichever way the price goes (as Volt's resource does).
 */
export function productsSql(desc: boolean, expand: boolean, filtered: boolean, after: boolean): string {
  const price = 'cast(p.price as real)';
  const dir = desc ? 'desc' : 'asc';
  const beyond = desc ? '<' : '>';
  const where = [
    ...(filtered ? [`${price} >= ?`] : []),
    ...(after ? [`(${price} ${beyond} ? or (${price} = ? and p.id > ?))`] : []),
  ];
  return (
    'select p.id, p.name, p.sku, p.price, p.stock, p.category_id as categoryId, p.created' +
    (expand
      ? ', c.name as categoryName from crud_product p join crud_category c on c.id = p.category_id'
      : ' from crud_product p') +
    (where.length > 0 ? ` where ${where.join(' and ')}` : '') +
    ` order by ${price} ${dir}, p.id limit ?`
  );
}
