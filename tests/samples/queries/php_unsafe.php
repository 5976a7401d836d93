<?php
// path: app/Http/Controllers/OrderController.php
class OrderController extends Controller
{
    public function search(Request $request)
    {
        $rows = DB::select("SELECT id FROM orders WHERE reference = '$ref'"); // expect: sql-injection
        $one = $pdo->query("SELECT id FROM orders WHERE id = " . $_GET['id']); // expect: sql-injection
        $like = Order::whereRaw("reference LIKE '%{$request->q}%'")->limit(20)->get(); // expect: sql-injection
        foreach ($rows as $row) {
            $customer = Customer::find($row->customer_id); // expect: n-plus-one-query
        }
        return Order::all(); // expect: unbounded-query
    }
}
