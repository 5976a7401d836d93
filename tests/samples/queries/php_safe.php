<?php
// path: app/Http/Controllers/OrderController.php
class OrderController extends Controller
{
    public function search(Request $request)
    {
        $rows = DB::select('SELECT id FROM orders WHERE reference = ?', [$ref]);
        $stmt = $pdo->prepare('SELECT id FROM orders WHERE id = :id');
        $stmt->execute(['id' => $request->input('id')]);
        $like = Order::where('reference', 'like', $request->q . '%')->limit(20)->get();
        $customers = Customer::whereIn('id', array_column($rows, 'customer_id'))->limit(500)->get();
        foreach ($rows as $row) {
            $row->total = $row->price * $row->quantity;
        }
        return Order::with('customer')->paginate(25);
    }
}
