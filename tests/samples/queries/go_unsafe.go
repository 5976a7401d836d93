// path: internal/handlers/orders.go
package handlers

import (
	"fmt"
	"net/http"
)

func (h *Handler) Search(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	rows, _ := h.db.Query(fmt.Sprintf("SELECT id FROM orders WHERE reference = '%s'", ref)) // expect: sql-injection
	defer rows.Close()
	q := fmt.Sprintf("DELETE FROM carts WHERE owner = '%v'", ref) // expect: sql-injection
	h.db.Exec(q)
	row := h.db.QueryRow("SELECT id FROM orders WHERE id = " + ref) // expect: sql-injection
	_ = row
	var orders []Order
	h.db.Where(fmt.Sprintf("status = '%s'", ref)).Find(&orders) // expect: sql-injection, unbounded-query
	for _, o := range orders {
		var lines []Line
		h.db.Where("order_id = ?", o.ID).Find(&lines) // expect: n-plus-one-query
	}
	h.db.Raw(`SELECT o.id FROM orders o, customers c WHERE o.total > 0 LIMIT 10`).Scan(&orders) // expect: implicit-cross-join, limit-without-order-by
}
