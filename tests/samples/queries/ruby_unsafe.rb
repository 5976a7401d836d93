# path: app/controllers/orders_controller.rb
class OrdersController < ApplicationController
  def index
    @orders = Order.all # expect: unbounded-query
    @orders.each do |order|
      order.customer_name = Customer.find(order.customer_id).name # expect: n-plus-one-query
    end
    render json: @orders
  end

  def search
    @orders = Order.where("reference = '#{params[:ref]}'") # expect: sql-injection
    @like = Order.where("reference LIKE '%#{params[:q]}%'") # expect: sql-injection
    @sorted = Order.order("#{params[:sort]} DESC") # expect: sql-injection
    Order.connection.execute("DELETE FROM carts WHERE owner_id = #{current_user.id}") # expect: sql-injection
    render json: @orders
  end

  def report
    rows = Order.find_by_sql(<<~SQL)
      SELECT o.id FROM orders o WHERE o.total > 100 LIMIT 20 OFFSET 40 -- expect: limit-without-order-by
    SQL
    render json: rows
  end
end
