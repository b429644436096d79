package dobot

import "fmt"

// Money writes a price in cents as dollars: 1200 is "$12.00".
func Money(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }
