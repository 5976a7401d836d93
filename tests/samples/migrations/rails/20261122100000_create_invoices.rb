class CreateInvoices < ActiveRecord::Migration[7.1]
  def change
    create_table :invoices do |t|
      t.references :order, null: false, foreign_key: true
      t.string :number, null: false
      t.integer :total_cents, null: false
      t.timestamps
    end
    add_index :invoices, :number, unique: true
    add_foreign_key :invoices, :customers

    reversible do |dir|
      dir.up do
        execute <<~SQL
          ALTER TABLE invoices ADD CONSTRAINT invoices_total_positive CHECK (total_cents >= 0) NOT VALID;
        SQL
      end
      dir.down do
        execute "DROP INDEX index_orders_on_status"
        remove_column :orders, :foo
      end
    end
  end
end
