class AddPriorityToTickets < ActiveRecord::Migration[7.1]
  def up
    add_column :tickets, :priority, :integer
    Ticket.in_batches.update_all(priority: 0)
    execute <<~SQL
      CREATE INDEX index_tickets_on_priority ON tickets (priority);
    SQL
  end

  def down
    remove_column :tickets, :priority
  end
end
