// Package ruleexpr walks PocketBase's parsed rules and filters (fexpr):
// what syncapi's rule memo and security's realtime judgment read of them.
package ruleexpr

import "github.com/ganigeorgiev/fexpr"

// Walk visits both sides of every comparison of groups, at any depth of
// parentheses, and stops at the first token visit refuses or at an item
// it does not know; ok is false then.
func Walk(groups []fexpr.ExprGroup, visit func(fexpr.Token) bool) (ok bool) {
	for _, g := range groups {
		switch item := g.Item.(type) {
		case fexpr.Expr:
			if !visit(item.Left) || !visit(item.Right) {
				return false
			}
		case []fexpr.ExprGroup:
			if !Walk(item, visit) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
