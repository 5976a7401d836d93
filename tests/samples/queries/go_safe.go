// path: internal/handlers/orders.go
package handlers

import "net/http"

func (h *Handler) Search(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	rows, _ := h.db.Query("SELECT id FROM orders WHERE reference = $1", ref)
	defer rows.Close()
	h.db.Exec("DELETE FROM carts WHERE owner = $1", ref)
	var orders []Order
	h.db.Preload("Lines").Where("status = ?", ref).Limit(50).Find(&orders)
	for _, o := range orders {
		total := 0
		for _, l := range o.Lines {
			total += l.Amount
		}
		o.Total = total
	}
	h.db.Raw(`SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id LIMIT 10`).Scan(&orders)
}
