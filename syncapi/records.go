package syncapi

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// visibleRecords loads those of ids that the caller may list and view, with
// PocketBase's own rule resolver: the query is the one CanAccessRecord
// builds, for many ids at once. Both the list and the view rule must pass:
// sync hands out records in bulk, like a list, and each one whole, like a
// view.
func visibleRecords(app core.App, info *core.RequestInfo, c *core.Collection, ids []string) ([]*core.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	super := info.HasSuperuserAuth()
	if !super && (c.ListRule == nil || c.ViewRule == nil) {
		return nil, nil
	}
	q := app.RecordQuery(c).AndWhere(idIn(c.Name+".id", ids))
	if !super {
		resolver := core.NewRecordFieldResolver(app, c, info, true)
		for _, rule := range readRules(c) {
			if rule == "" {
				continue
			}
			expr, err := search.FilterData(rule).BuildExpr(resolver)
			if err != nil {
				return nil, fmt.Errorf("build %s rule: %w", c.Name, err)
			}
			q.AndWhere(expr)
		}
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, fmt.Errorf("apply %s rule: %w", c.Name, err)
		}
	}
	var records []*core.Record
	if err := q.All(&records); err != nil {
		return nil, fmt.Errorf("load %s: %w", c.Name, err)
	}
	return records, nil
}

// idIn is column IN ids, with the ids bound as one JSON array: a page's
// 1,000 ids as 1,000 placeholders made SQLite parse and bind each of them
// (a sixth of the records query); json_each reads them as a one-column
// table and the lookup still uses the primary key.
func idIn(column string, ids []string) dbx.Expression {
	raw, _ := json.Marshal(ids) // a []string always encodes
	return dbx.NewExp("[["+column+"]] IN (SELECT value FROM json_each({:aman_ids}))", dbx.Params{"aman_ids": string(raw)})
}

// readRules are the rules a record must pass to be synced: the list and
// the view rule, the view rule left out when it is the same text (most
// collections use one read rule for both; evaluating it twice changes
// nothing but the cost). Both must be non-nil.
func readRules(c *core.Collection) []string {
	if *c.ViewRule == *c.ListRule {
		return []string{*c.ListRule}
	}
	return []string{*c.ListRule, *c.ViewRule}
}

// canSee reports whether the caller may list and view r.
func canSee(app core.App, info *core.RequestInfo, r *core.Record) (bool, error) {
	recs, err := visibleRecords(app, info, r.Collection(), []string{r.Id})
	return len(recs) == 1, err
}

// enrich applies the enrich hooks (hidden fields, the privacy package's
// redactions, e-mail visibility) exactly as the record API does for e.
func enrich(e *core.RequestEvent, records []*core.Record) error {
	if len(records) == 0 {
		return nil
	}
	return apis.EnrichRecords(e, records)
}

// recordJSON is r as the record API returns it, plus "rev", byte for byte:
// Record.MarshalJSON is what the API writes (json.Marshal would escape
// HTML characters the API leaves as they are, in a second pass over the
// bytes). r must have been enriched.
func recordJSON(r *core.Record, rev int64) (json.RawMessage, error) {
	raw, err := r.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	return withRev(raw, rev), nil
}

// withRev splices "rev":N into a JSON object without decoding it.
func withRev(obj []byte, rev int64) json.RawMessage {
	if len(obj) < 2 || obj[0] != '{' {
		return obj
	}
	out := make([]byte, 0, len(obj)+24)
	out = append(out, `{"rev":`...)
	out = strconv.AppendInt(out, rev, 10)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	return append(out, obj[1:]...)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
