package syncapi

import (
	"encoding/json"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"

	"aman/internal/ruleexpr"
)

// ruleMemo remembers the outcome of create rules within one push chunk.
//
// A create rule is evaluated per mutation with PocketBase's resolver and one
// SQL query (ruleMatches), which was a third of a push's CPU. Most create
// rules read nothing but the request: the caller's auth record and a few
// body fields (Aman's: "signed in, reporter is me, no review fields set").
// Such a rule is a pure function of those body values, because within a
// push the auth record and the rule's text do not change (the auth record
// is loaded once per request, as in /api/batch). Two mutations with equal
// values in the fields the rule reads get the same answer, so the rule runs
// once per distinct combination: for a phone's queue, once per chunk.
//
// A rule that reads anything else is never memoized and runs for every
// mutation as before: a record column, a relation followed from the body or
// the auth record (it reads rows the push may be writing), @collection.*,
// a macro such as @now, a function, or the :changed modifier (it compares
// with the record).
type ruleMemo struct {
	fields  map[string][]string // rule text → body fields it reads; nil: not memoizable
	known   map[string]bool     // rule text → whether fields holds it
	answers map[string]bool     // rule text + body values → the rule's answer
}

func newRuleMemo() *ruleMemo {
	return &ruleMemo{fields: map[string][]string{}, known: map[string]bool{}, answers: map[string]bool{}}
}

// key is the memo key of rule for body, or false when the rule's outcome
// must not be reused.
func (m *ruleMemo) key(c *core.Collection, rule string, body map[string]any) (string, bool) {
	if !m.known[rule] {
		fields, ok := requestOnlyFields(c, rule)
		if !ok {
			fields = nil
		} else if fields == nil {
			fields = []string{} // reads no body field: one answer for all
		}
		m.fields[rule], m.known[rule] = fields, true
	}
	fields := m.fields[rule]
	if fields == nil {
		return "", false
	}
	values := make([]any, 0, 2*len(fields))
	for _, f := range fields {
		v, set := body[f]
		values = append(values, set, v)
	}
	raw, err := json.Marshal(values)
	if err != nil {
		return "", false
	}
	return rule + "\x00" + string(raw), true
}

// check returns the memoized answer of rule for body, or runs eval and
// memoizes its answer when the rule allows it. Errors are not memoized.
func (m *ruleMemo) check(c *core.Collection, rule string, body map[string]any, eval func() (bool, error)) (bool, error) {
	if m == nil {
		return eval()
	}
	key, ok := m.key(c, rule, body)
	if ok {
		if v, hit := m.answers[key]; hit {
			return v, nil
		}
	}
	v, err := eval()
	if err == nil && ok {
		m.answers[key] = v
	}
	return v, err
}

// requestOnlyFields returns the body fields a rule reads, when the rule
// reads nothing but @request.auth.<field>, @request.body.<field> (with a
// modifier other than :changed) and literals; ok is false otherwise.
func requestOnlyFields(c *core.Collection, rule string) (fields []string, ok bool) {
	groups, err := fexpr.Parse(rule)
	if err != nil {
		return nil, false
	}
	seen := map[string]bool{}
	ok = ruleexpr.Walk(groups, func(t fexpr.Token) bool {
		switch t.Type {
		case fexpr.TokenText, fexpr.TokenNumber:
			return true
		case fexpr.TokenIdentifier:
			name, isBody, valid := requestIdentifier(c, t.Literal)
			if valid && isBody && !seen[name] {
				seen[name] = true
				fields = append(fields, name)
			}
			return valid
		}
		return false // functions and anything unforeseen
	})
	return fields, ok
}

// requestIdentifier classifies an identifier of a rule: a direct field of
// the auth record, a body field (whose name it returns), or a literal
// null/true/false (which the resolver treats as such only when the
// collection has no field of that name).
func requestIdentifier(c *core.Collection, ident string) (body string, isBody, ok bool) {
	if rest, found := strings.CutPrefix(ident, "@request.auth."); found {
		return "", false, isPlainName(rest)
	}
	if rest, found := strings.CutPrefix(ident, "@request.body."); found {
		name, modifier, _ := strings.Cut(rest, ":")
		if !isPlainName(name) || modifier == "changed" {
			return "", false, false
		}
		return name, true, true
	}
	switch strings.ToLower(ident) {
	case "null", "true", "false":
		for _, f := range c.Fields {
			if strings.EqualFold(f.GetName(), ident) {
				return "", false, false
			}
		}
		return "", false, true
	}
	return "", false, false
}

// isPlainName reports whether s is one field name, not a path through a
// relation (a.b) nor carrying a modifier.
func isPlainName(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".:")
}
