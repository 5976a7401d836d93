package orders

import "gorm.io/gorm"

func Totals(db *gorm.DB) map[uint]int {
	var users []User
	db.Where("active = ?", true).Limit(100).Find(&users)
	out := map[uint]int{}
	for _, u := range users {
		var orders []Order
		db.Model(&u).Association("Orders").Find(&orders)
		out[u.ID] = len(orders)
	}
	return out
}

func PreloadedTotals(db *gorm.DB) map[uint]int {
	var users []User
	db.Preload("Orders").Where("active = ?", true).Limit(100).Find(&users)
	out := map[uint]int{}
	for _, u := range users {
		out[u.ID] = len(u.Orders)
	}
	return out
}
