// path: src/main/kotlin/com/shop/repository/OrderRepository.kt
class OrderRepository(private val jdbc: JdbcTemplate) {
    fun byReference(ref: String): List<Order> =
        jdbc.query("SELECT id FROM orders WHERE reference = ?", mapper, ref)
}
