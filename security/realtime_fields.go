package security

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"

	"aman/internal/ruleexpr"
)

// What a judgment of a subscription reads, so that an update that changes
// none of it is not judged before the write (realtime_left.go).
//
// A subscription's rule and filter that read nothing but the record's own
// fields and what the subscription itself carries (its user's own fields,
// its query and headers, literals) judge a record the same before and
// after an update that leaves those fields as they were: no subscriber
// can lose the record through it. Anything else (a relation, a
// back-relation, another collection, the time, a function, a field
// PocketBase sets as it writes) may change in the same transaction or
// with the clock, and is judged as before.

// ownFields returns the record fields expr reads, and ok when it reads
// nothing else that could change between the judgments before and after
// a write. An empty expression reads nothing.
func ownFields(c *core.Collection, expr string) (fields []string, ok bool) {
	if strings.TrimSpace(expr) == "" {
		return nil, true
	}
	key := c.Id + "\x00" + c.Updated.String() + "\x00" + expr
	if v, hit := ownFieldsMemo.Load(key); hit {
		r := v.(ownFieldsResult)
		return r.fields, r.ok
	}
	fields, ok = parseOwnFields(c, expr)
	ownFieldsMemo.Store(key, ownFieldsResult{fields, ok})
	return fields, ok
}

type ownFieldsResult struct {
	fields []string
	ok     bool
}

// ownFieldsMemo holds ownFields' answers by collection (and its schema's
// version) and expression: a rule or a subscription's filter, a handful
// of distinct ones per collection.
var ownFieldsMemo sync.Map

func parseOwnFields(c *core.Collection, expr string) ([]string, bool) {
	groups, err := fexpr.Parse(expr)
	if err != nil {
		return nil, false
	}
	var fields []string
	ok := ruleexpr.Walk(groups, func(t fexpr.Token) bool {
		switch t.Type {
		case fexpr.TokenText, fexpr.TokenNumber:
			return true
		case fexpr.TokenIdentifier:
			field, valid := ownIdentifier(c, t.Literal)
			if valid && field != "" {
				fields = append(fields, field)
			}
			return valid
		}
		return false // functions and anything unforeseen
	})
	return fields, ok
}

// ownIdentifier classifies an identifier: a field of the record itself
// (returned), something constant for one subscription (a literal, the
// record's collection, the subscriber's own fields, query and headers:
// ok with no field), or anything else (not ok).
func ownIdentifier(c *core.Collection, literal string) (field string, ok bool) {
	name, modifier, _ := strings.Cut(literal, ":")
	switch modifier {
	case "", "lower", "length", "each", "isset":
	default:
		return "", false
	}
	switch name {
	case "true", "false", "null", "collectionName", "collectionId":
		return "", true
	}
	if rest, isRequest := strings.CutPrefix(name, "@request."); isRequest {
		switch {
		case rest == "context" || rest == "method":
			return "", true
		case strings.HasPrefix(rest, "query.") || strings.HasPrefix(rest, "headers."):
			return "", true
		case strings.HasPrefix(rest, "auth."):
			// the subscriber's own field; a relation of it may change
			return "", !strings.Contains(strings.TrimPrefix(rest, "auth."), ".")
		}
		return "", false
	}
	if strings.HasPrefix(name, "@") || strings.Contains(name, ".") {
		return "", false // another collection, a macro of the time, a relation
	}
	f := c.Fields.GetByName(name)
	if f == nil {
		return "", false // a back-relation, or unknown
	}
	if _, stamped := f.(*core.AutodateField); stamped {
		return "", false // set as the record is written
	}
	return name, true
}

// changedFields tells, for an update of record, which fields differ from
// the record as committed; committed is false when no committed record
// was found (created in the same transaction): nothing is unchanged then.
type changedFields struct {
	once      sync.Once
	committed bool
	changed   map[string]bool
}

func (cf *changedFields) load(app core.App, record *core.Record) {
	cf.once.Do(func() {
		stored, err := app.FindRecordById(record.Collection(), record.Id)
		if err != nil {
			return
		}
		cf.committed = true
		cf.changed = map[string]bool{}
		for _, f := range record.Collection().Fields {
			name := f.GetName()
			was, errWas := json.Marshal(stored.Get(name))
			is, errIs := json.Marshal(record.Get(name))
			cf.changed[name] = errWas != nil || errIs != nil || !bytes.Equal(was, is)
		}
	})
}

// unchanged reports whether every field of fields is as committed.
func (cf *changedFields) unchanged(app core.App, record *core.Record, fields []string) bool {
	cf.load(app, record)
	if !cf.committed {
		return false
	}
	for _, f := range fields {
		if changed, known := cf.changed[f]; !known || changed {
			return false
		}
	}
	return true
}
