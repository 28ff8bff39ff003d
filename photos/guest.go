package photos

import (
	"io"
	"regexp"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
)

const (
	createPattern = "POST /api/collections/{collection}/records"
	updatePattern = "PATCH /api/collections/{collection}/records/{id}"
)

// refusesGuest reports whether e, a signed-out multipart record create or
// update, is surely refused by its collection's rule: PocketBase reads and
// parses the whole body (e.RequestInfo) before it looks at the rule, so a
// guest's upload to a collection only signed-in callers may write held
// its body in memory, and its place in the upload budget, only to be
// refused. It is conservative: only a missing rule (superusers only), or
// a rule that is false whatever the body and the record when no one is
// signed in (guestFails), counts; any rule it cannot read does not.
//
// So the create and update rules of reports, aid requests, updates and
// fact checks, a profile's update, and the superusers-only collections
// refuse a guest's upload unread; a sign-up with an avatar goes on.
//
// A batch is left alone: its sub-requests each have their own rule.
func refusesGuest(e *core.RequestEvent) bool {
	if e.Auth != nil {
		return false
	}
	pattern := e.Request.Pattern
	if pattern != createPattern && pattern != updatePattern {
		return false
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || collection == nil || collection.IsView() {
		return false
	}
	rule := collection.CreateRule
	if pattern == updatePattern {
		rule = collection.UpdateRule
	}
	if rule == nil {
		return true
	}
	if strings.TrimSpace(*rule) == "" {
		return false
	}
	groups, err := fexpr.Parse(*rule)
	return err == nil && guestFails(groups)
}

// withoutBody makes e's request an empty JSON object, so that PocketBase's
// own handler refuses it as it would have refused the upload (the rule
// fails whatever the body), with the same status and body, after the same
// steps (the collection's rate limit, the record's lookup on update), and
// without reading the upload. The unread body is the server's to discard:
// it closes the connection rather than read much of it.
func withoutBody(e *core.RequestEvent) {
	const empty = "{}"
	e.Request.Body = io.NopCloser(strings.NewReader(empty))
	e.Request.ContentLength = int64(len(empty))
	e.Request.Header.Set("Content-Type", "application/json")
	e.Request.Header.Del("Content-Length")
	e.Request.MultipartForm = nil
	e.Request.Form, e.Request.PostForm = nil, nil
}

// guestFails reports whether a parsed rule is false for every body and
// record when no one is signed in. PocketBase joins the groups in SQL,
// where && binds tighter than ||: the rule is false when each of its
// ||-separated runs has a group that is false (guestFalse).
func guestFails(groups []fexpr.ExprGroup) bool {
	if len(groups) == 0 {
		return false
	}
	runFalse := false
	for i, g := range groups {
		if i > 0 && g.Join == fexpr.JoinOr {
			if !runFalse {
				return false
			}
			runFalse = false
		}
		if !runFalse {
			switch item := g.Item.(type) {
			case fexpr.Expr:
				runFalse = guestFalse(item)
			case []fexpr.ExprGroup:
				runFalse = guestFails(item)
			}
		}
	}
	return runFalse
}

// authField matches a field of the signed-in record, without a modifier
// or a relation's field.
var authField = regexp.MustCompile(`^@request\.auth\.[A-Za-z_][A-Za-z0-9_]*$`)

// guestFalse reports whether a comparison is false when no one is signed
// in, where PocketBase reads every @request.auth field as empty:
// `@request.auth.id != ”` and `@request.auth.<field> = '<not empty>'`
// (as `@request.auth.role = 'editor'`), either way round. Anything else
// may be true.
func guestFalse(x fexpr.Expr) bool {
	left, right := x.Left, x.Right
	if right.Literal == "@request.auth.id" && right.Type == fexpr.TokenIdentifier {
		left, right = right, left
	}
	if x.Op == fexpr.SignEq && left.Literal == "@request.auth.id" && left.Type == fexpr.TokenIdentifier &&
		right.Type == fexpr.TokenIdentifier && right.Literal == "id" {
		return true // a record's id is never empty, a guest's always
	}
	if right.Type == fexpr.TokenIdentifier && left.Type == fexpr.TokenText {
		left, right = right, left
	}
	if left.Type != fexpr.TokenIdentifier || right.Type != fexpr.TokenText || !authField.MatchString(left.Literal) {
		return false
	}
	switch x.Op {
	case fexpr.SignNeq:
		return left.Literal == "@request.auth.id" && right.Literal == ""
	case fexpr.SignEq:
		return right.Literal != ""
	}
	return false
}
