class AddStatusToOrders < ActiveRecord::Migration[7.1]
  def change
    add_column :orders, :status, :string, null: false
    add_column :orders, :note, :text
    add_index :orders, :status
    add_reference :orders, :customer, foreign_key: true
    add_foreign_key :orders, :warehouses
    remove_column :orders, :legacy_ref, :string
    rename_column :orders, :total, :total_cents
    change_column :orders, :weight, :decimal, precision: 10, scale: 2
    change_column_null :orders, :placed_at, false
    add_check_constraint :orders, "total_cents >= 0", name: "orders_total_positive"
    rename_table :order_items, :order_lines
    drop_table :legacy_orders do |t|
      t.string :ref
    end
    change_table :customers do |t|
      t.remove :fax
      t.rename :mail, :email
      t.string :tier, null: false
    end
    execute "UPDATE orders SET status = 'placed'"
  end

  def down
    remove_column :orders, :status
    drop_table :things
  end
end
