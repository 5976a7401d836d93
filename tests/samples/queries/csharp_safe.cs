// path: Controllers/OrdersController.cs
public class OrdersController : ControllerBase
{
    [HttpGet("search")]
    public async Task<IActionResult> Search(string reference, int page = 0)
    {
        var found = await _context.Orders.FromSqlInterpolated($"SELECT Id, Reference FROM Orders WHERE Reference = {reference}").Take(20).ToListAsync();
        var cmd = new SqlCommand("SELECT Id FROM Orders WHERE Reference = @reference", connection);
        cmd.Parameters.AddWithValue("@reference", reference);
        var orders = await _context.Orders.Include(o => o.Customer).Where(o => o.Active).Skip(page * 50).Take(50).ToListAsync();
        foreach (var order in orders)
        {
            order.Total = order.Lines.Sum(l => l.Amount);
        }
        return Ok(orders);
    }
}
