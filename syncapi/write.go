package syncapi

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/forms"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"

	"aman/internal/jsonenc"
)

// The record writes of a push follow PocketBase's record create, update and
// delete handlers (apis/record_crud.go, v0.40.4) step by step: the same
// rule checks with the same resolver (including @request.body.* and
// :changed), the same upsert form and validation, the same
// OnRecord*Request hooks and the same enrich hooks, on an internal request
// whose JSON body is the mutation's data, in the push's transaction.
// Two deliberate differences: the per-collection rate limits of each item
// do not apply (the push route has its own limit; 500 creates must not be
// throttled like 500 REST calls), and no response is written (the result
// is the enriched record).

// internalEvent is a request event for one mutation, carrying the caller's
// auth, headers and address, with data as its JSON body.
func internalEvent(base *core.RequestEvent, tx core.App, method, url string, data map[string]any) (*core.RequestEvent, error) {
	raw, err := jsonenc.AppendValue(nil, data)
	if err != nil {
		return nil, fmt.Errorf("encode data: %w", err)
	}
	r, err := http.NewRequestWithContext(base.Request.Context(), method, url, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("internal request: %w", err)
	}
	r.Header = base.Request.Header.Clone()
	r.Header.Set("Content-Type", "application/json")
	r.Header.Del("Content-Encoding")
	r.RemoteAddr, r.Host, r.TLS = base.Request.RemoteAddr, base.Request.Host, base.Request.TLS
	r.Body = &router.RereadableReadCloser{ReadCloser: r.Body}

	ev := new(core.RequestEvent)
	ev.App = tx
	ev.Auth = base.Auth
	ev.SetAll(base.GetAll())
	ev.Set(core.RequestEventKeyInfoContext, core.RequestInfoContextDefault)
	ev.Request = r
	ev.Response = &router.ResponseWriter{ResponseWriter: httptest.NewRecorder()}
	return ev, nil
}

func recordsURL(c *core.Collection, id string) string {
	u := "/api/collections/" + c.Name + "/records"
	if id != "" {
		u += "/" + id
	}
	return u
}

// createRecord is recordCreate without the response. rules, if not nil,
// memoizes create-rule answers across the mutations of a chunk.
func createRecord(ev *core.RequestEvent, c *core.Collection, rules *ruleMemo) (*core.Record, error) {
	info, err := ev.RequestInfo()
	if err != nil {
		return nil, apiErr(err, ev.BadRequestError("", err))
	}
	super := info.HasSuperuserAuth()
	if !super && c.CreateRule == nil {
		return nil, ev.ForbiddenError("Only superusers can perform this action.", nil)
	}
	record := core.NewRecord(c)
	data := record.ReplaceModifiers(info.Body)
	info.Body = data

	form := forms.NewRecordUpsert(ev.App, record)
	if super {
		form.GrantSuperuserAccess()
	}
	form.Load(data)

	if !super && *c.CreateRule != "" {
		if err := checkCreateRule(ev.App, info, record, c, rules); err != nil {
			return nil, ev.BadRequestError("Failed to create record.", err)
		}
	}

	event := &core.RecordRequestEvent{RequestEvent: ev, Collection: c, Record: record}
	err = ev.App.OnRecordCreateRequest().Trigger(event, func(e *core.RecordRequestEvent) error {
		form.SetApp(e.App)
		form.SetRecord(e.Record)
		if err := form.Submit(); err != nil {
			return apiErr(err, e.BadRequestError("Failed to create record.", err))
		}
		return apis.EnrichRecord(e.RequestEvent, e.Record)
	})
	return event.Record, err
}

// checkCreateRule evaluates the create rule against the submitted record
// the way recordCreate does.
func checkCreateRule(app core.App, info *core.RequestInfo, record *core.Record, c *core.Collection, rules *ruleMemo) error {
	ok, err := rules.check(c, *c.CreateRule, info.Body, func() (bool, error) {
		return ruleMatches(app, info, record, c, *c.CreateRule)
	})
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("create rule failure")
	}
	return nil
}

// ruleMatches evaluates a non-empty rule against a record that need not be
// stored (a record being created, or a past state of one) the way
// recordCreate evaluates its create rule: the record's values as a one-row
// CTE named like the collection, and PocketBase's rule resolver.
//
// Most create rules refer only to @request.* (the body and the auth
// record), not to the record's columns: the expression the resolver builds
// then never reads the one-row CTE, and selecting from it changes nothing
// (one row in, the same WHERE). Such a rule runs as SELECT (1) WHERE expr,
// which spares exporting and binding every field of the record (a fifth of
// a push's CPU). Any reference to the CTE's name or any join the resolver
// adds sends the rule down the full path.
func ruleMatches(app core.App, info *core.RequestInfo, record *core.Record, c *core.Collection, rule string) (bool, error) {
	suffix := "__pb_create__" + security.PseudorandomString(6)
	dummyColl := *c
	dummyColl.Id += suffix
	dummyColl.Name += inflector.Columnify(suffix)
	resolver := core.NewRecordFieldResolver(app, &dummyColl, info, true)
	expr, err := search.FilterData(rule).BuildExpr(resolver)
	if err != nil {
		return false, fmt.Errorf("rule: %w", err)
	}
	q := app.ConcurrentDB().Select("(1)").AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return false, fmt.Errorf("rule query: %w", err)
	}
	if sql := q.Build().SQL(); strings.Contains(sql, inflector.Columnify(suffix)) || strings.Contains(strings.ToUpper(sql), "JOIN") {
		if q, err = withRecordCTE(app, q, record, dummyColl.Name, suffix); err != nil {
			return false, err
		}
	}
	var exists int
	err = q.Limit(1).Row(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("rule query: %w", err)
	}
	return exists > 0, nil
}

// withRecordCTE makes q select from record's values as a one-row CTE named
// name, as recordCreate does.
func withRecordCTE(app core.App, q *dbx.SelectQuery, record *core.Record, name, suffix string) (*dbx.SelectQuery, error) {
	dummy := record.Clone()
	if dummy.Id == "" {
		dummy.Id = "__temp_id__" + suffix
	}
	export, err := dummy.DBExport(app)
	if err != nil {
		return nil, fmt.Errorf("dummy export: %w", err)
	}
	params := make(dbx.Params, len(export))
	selects := make([]string, 0, len(export))
	for k, v := range export {
		k = inflector.Columnify(k)
		p := "__pb_create__" + k
		params[p] = v
		selects = append(selects, "{:"+p+"} AS [["+k+"]]")
	}
	with := fmt.Sprintf("WITH {{%s}} as (SELECT %s)", name, strings.Join(selects, ","))
	return q.PreFragment(with).From(name).AndBind(params), nil
}

// ruleFilter narrows a record lookup by rule for a non-superuser.
func ruleFilter(app core.App, info *core.RequestInfo, c *core.Collection, rule *string) func(q *dbx.SelectQuery) error {
	return func(q *dbx.SelectQuery) error {
		if info.HasSuperuserAuth() || rule == nil || *rule == "" {
			return nil
		}
		resolver := core.NewRecordFieldResolver(app, c, info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return err
		}
		q.AndWhere(expr)
		return resolver.UpdateQuery(q)
	}
}

// updateRecord is recordUpdate without the response. ctx, if not nil, is
// the save's context (changelog.WithUnseen).
func updateRecord(ev *core.RequestEvent, c *core.Collection, id string, ctx context.Context) (*core.Record, error) {
	info, err := ev.RequestInfo()
	if err != nil {
		return nil, apiErr(err, ev.BadRequestError("", err))
	}
	super := info.HasSuperuserAuth()
	if !super && c.UpdateRule == nil {
		return nil, ev.ForbiddenError("Only superusers can perform this action.", nil)
	}
	record, err := ev.App.FindRecordById(c, id)
	if err != nil {
		return nil, ev.NotFoundError("", err)
	}
	data := record.ReplaceModifiers(info.Body)
	info.Body = data
	record, err = ev.App.FindRecordById(c, id, ruleFilter(ev.App, info, c, c.UpdateRule))
	if err != nil {
		return nil, ev.NotFoundError("", err)
	}
	form := forms.NewRecordUpsert(ev.App, record)
	if super {
		form.GrantSuperuserAccess()
	}
	if ctx != nil {
		form.SetContext(ctx)
	}
	form.Load(data)

	event := &core.RecordRequestEvent{RequestEvent: ev, Collection: c, Record: record}
	err = ev.App.OnRecordUpdateRequest().Trigger(event, func(e *core.RecordRequestEvent) error {
		form.SetApp(e.App)
		form.SetRecord(e.Record)
		if err := form.Submit(); err != nil {
			return apiErr(err, e.BadRequestError("Failed to update record.", err))
		}
		return apis.EnrichRecord(e.RequestEvent, e.Record)
	})
	return event.Record, err
}

// deleteRecord is recordDelete without the response.
func deleteRecord(ev *core.RequestEvent, c *core.Collection, id string) error {
	info, err := ev.RequestInfo()
	if err != nil {
		return apiErr(err, ev.BadRequestError("", err))
	}
	if !info.HasSuperuserAuth() && c.DeleteRule == nil {
		return ev.ForbiddenError("Only superusers can perform this action.", nil)
	}
	record, err := ev.App.FindRecordById(c, id, ruleFilter(ev.App, info, c, c.DeleteRule))
	if err != nil {
		return ev.NotFoundError("", err)
	}
	event := &core.RecordRequestEvent{RequestEvent: ev, Collection: c, Record: record}
	return ev.App.OnRecordDeleteRequest().Trigger(event, func(e *core.RecordRequestEvent) error {
		if err := e.App.Delete(e.Record); err != nil {
			return apiErr(err, e.BadRequestError("Failed to delete record. Make sure that the record is not part of a required relation reference.", err))
		}
		return nil
	})
}

// apiErr returns err if it already is an API error, else fallback.
func apiErr(err error, fallback *router.ApiError) error {
	var ae *router.ApiError
	if errors.As(err, &ae) {
		return ae
	}
	return fallback
}
