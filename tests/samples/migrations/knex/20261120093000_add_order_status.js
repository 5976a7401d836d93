exports.up = function (knex) {
  return knex.schema
    .alterTable('orders', (table) => {
      table.string('status').notNullable();
      table.string('channel').notNullable().defaultTo('web');
      table.text('note');
      table.dropColumn('legacy_ref');
      table.renameColumn('total', 'total_cents');
      table.decimal('weight', 10, 2).alter();
      table.index(['placed_at']);
      table.unique(['reference']);
    })
    .createTable('invoices', (table) => {
      table.increments('id');
      table.string('number').notNullable().unique();
      table.integer('order_id').references('orders.id');
    })
    .then(() => knex.raw('CREATE INDEX orders_customer_idx ON orders (customer_id)'));
};

exports.down = function (knex) {
  return knex.schema.dropTable('invoices').alterTable('orders', (table) => {
    table.dropColumn('status');
  });
};
