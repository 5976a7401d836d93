// path: src/main/java/com/shop/controllers/OrderController.java
package com.shop.controllers;

@RestController
public class OrderController {
    @GetMapping("/orders/search")
    public List<Order> search(@RequestParam String ref) throws SQLException {
        List<Order> found = jdbcTemplate.query("SELECT id, reference FROM orders WHERE reference = ?", mapper, ref);
        PreparedStatement ps = connection.prepareStatement("SELECT id FROM orders WHERE id = ?");
        ps.setString(1, ref);
        TypedQuery<Order> q = entityManager.createQuery("SELECT o FROM Order o WHERE o.ref = :ref", Order.class);
        List<Long> ids = found.stream().map(Order::getCustomerId).toList();
        Map<Long, Customer> customers = customerRepository.findAllById(ids).stream()
            .collect(Collectors.toMap(Customer::getId, c -> c));
        for (Order order : found) {
            order.setCustomer(customers.get(order.getCustomerId()));
        }
        String shipped = "SELECT o.id FROM orders o " +
            "WHERE o.shipped_at IS NULL";
        return found;
    }

    @GetMapping("/orders")
    public Page<Order> list(Pageable pageable) {
        return orderRepository.findAll(pageable);
    }
}
