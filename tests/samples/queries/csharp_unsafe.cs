// path: Controllers/OrdersController.cs
public class OrdersController : ControllerBase
{
    [HttpGet("search")]
    public async Task<IActionResult> Search(string reference)
    {
        var found = await _context.Orders.FromSqlRaw($"SELECT Id, Reference FROM Orders WHERE Reference = '{reference}'").Take(20).ToListAsync(); // expect: sql-injection
        var cmd = new SqlCommand("SELECT Id FROM Orders WHERE Reference = '" + reference + "'", connection); // expect: sql-injection
        await _context.Database.ExecuteSqlRawAsync($"DELETE FROM Carts WHERE Owner = {reference}"); // expect: sql-injection
        foreach (var order in found)
        {
            order.Customer = await _context.Customers.FindAsync(order.CustomerId); // expect: n-plus-one-query
        }
        var all = await _context.Orders.Where(o => o.Active).ToListAsync(); // expect: unbounded-query
        return Ok(all);
    }
}
