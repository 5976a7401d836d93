class AddIndexOnOrdersPlacedAt < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :orders, :placed_at, algorithm: :concurrently
    add_column :orders, :channel, :string, null: false, default: "web"
    add_foreign_key :orders, :shops, validate: false
    add_check_constraint :orders, "weight > 0", name: "orders_weight_positive", validate: false
    remove_index :orders, :old_col, algorithm: :concurrently
    add_reference :orders, :shop, index: { algorithm: :concurrently }
  end
end
