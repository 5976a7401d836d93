# path: app/controllers/orders_controller.rb
class OrdersController < ApplicationController
  SORTABLE = %w[created_at total].freeze

  def index
    @orders = Order.includes(:customer).page(params[:page]).per(50)
    @orders.each do |order|
      order.customer_name = order.customer.name
    end
    render json: @orders
  end

  def search
    @orders = Order.where("reference = ?", params[:ref])
    @like = Order.where("reference LIKE ?", "#{Order.sanitize_sql_like(params[:q])}%")
    @sorted = Order.order(SORTABLE.include?(params[:sort]) ? params[:sort] : "created_at")
    Order.connection.execute("DELETE FROM carts WHERE owner_id = #{Integer(current_user.id)}")
    render json: @orders
  end

  def report
    rows = Order.find_by_sql(<<~SQL)
      SELECT o.id FROM orders o WHERE o.total > 100 ORDER BY o.id LIMIT 20 OFFSET 40
    SQL
    render json: rows
  end
end
