'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('orders', 'status', {
      type: Sequelize.STRING,
      allowNull: false,
    });
    await queryInterface.addColumn('orders', 'note', { type: Sequelize.TEXT });
    await queryInterface.addIndex('orders', ['status']);
    await queryInterface.addIndex('orders', ['placed_at'], { concurrently: true });
    await queryInterface.removeColumn('orders', 'legacy_ref');
    await queryInterface.renameColumn('orders', 'total', 'total_cents');
    await queryInterface.changeColumn('orders', 'weight', { type: Sequelize.DECIMAL(10, 2) });
    await queryInterface.addConstraint('orders', {
      fields: ['reference'],
      type: 'unique',
      name: 'orders_reference_key',
    });
    await queryInterface.sequelize.query('ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)');
  },

  async down(queryInterface) {
    await queryInterface.removeColumn('orders', 'status');
    await queryInterface.dropTable('orders');
  },
};
