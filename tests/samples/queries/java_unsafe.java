// path: src/main/java/com/shop/controllers/OrderController.java
package com.shop.controllers;

@RestController
public class OrderController {
    @GetMapping("/orders/search")
    public List<Order> search(@RequestParam String ref) throws SQLException {
        String sql = "SELECT id, reference FROM orders WHERE reference = '" + ref + "'"; // expect: sql-injection
        List<Order> found = jdbcTemplate.query(sql, mapper);
        Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM orders WHERE id = " + ref); // expect: sql-injection
        Query q = entityManager.createQuery("SELECT o FROM Order o WHERE o.ref = '" + ref + "'"); // expect: sql-injection
        for (Order order : found) {
            Customer c = customerRepository.findById(order.getCustomerId()).orElseThrow(); // expect: n-plus-one-query
            order.setCustomer(c);
        }
        String stale = "SELECT o.id FROM orders o " +
            "WHERE o.shipped_at = NULL"; // expect: null-comparison
        return found;
    }

    @GetMapping("/orders")
    public List<Order> list() {
        return orderRepository.findAll(); // expect: unbounded-query
    }
}
