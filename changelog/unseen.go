package changelog

import "context"

type unseenKey struct{}

type unseenFields struct {
	fields map[string]bool
	all    bool
}

// WithUnseen returns ctx marking the save it carries as an edit written from
// an earlier state of its record: its writer did not see the changes made
// to fields since (ChangedSince's answer; every field when complete is
// false). The sync push saves an edit from an older baseRev with it, so a
// rule that reads an edit as a reply to the record's current state (an
// edited translation brought in line with its original) can tell a reply
// from a stale copy.
func WithUnseen(ctx context.Context, fields map[string]bool, complete bool) context.Context {
	return context.WithValue(ctx, unseenKey{}, unseenFields{fields: fields, all: !complete})
}

// Unseen reports whether the writer of the save carrying ctx had not seen
// the current value of field (WithUnseen). A save without WithUnseen (REST,
// the dashboard, an edit from the current rev) saw every field.
func Unseen(ctx context.Context, field string) bool {
	if ctx == nil {
		return false
	}
	u, ok := ctx.Value(unseenKey{}).(unseenFields)
	return ok && (u.all || u.fields[field])
}
