package privacy

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// CodeForbiddenQueryField is the error code (data.filter.code,
// data.sort.code or data.subscriptions.code) of a query that names a field
// hidden from the viewer. Stable API: translations key on it.
const CodeForbiddenQueryField = "privacy_forbidden_query_field"

func errForbiddenField(path string) validation.Error {
	return validation.NewError(CodeForbiddenQueryField, "You cannot filter or sort by {{.field}}.").
		SetParams(map[string]any{"field": path})
}

// guardListQuery refuses a list request whose filter or sort names a field
// hidden from the viewer. It runs after PocketBase ran the query but before
// anything of its result is written.
func guardListQuery(e *core.RecordsListRequestEvent) error {
	v := ViewerOf(e.Auth)
	query := e.Request.URL.Query()
	if path := forbiddenInFilter(e.App, v, e.Collection, query.Get(search.FilterQueryParam)); path != "" {
		return e.BadRequestError("Invalid filter.", validation.Errors{search.FilterQueryParam: errForbiddenField(path)})
	}
	if path := forbiddenInSort(e.App, v, e.Collection, query.Get(search.SortQueryParam)); path != "" {
		return e.BadRequestError("Invalid sort.", validation.Errors{search.SortQueryParam: errForbiddenField(path)})
	}
	return e.Next()
}

// guardSubscriptions refuses realtime subscriptions whose filter option
// names a field hidden from the viewer: the events it lets through would
// disclose it.
func guardSubscriptions(e *core.RealtimeSubscribeRequestEvent) error {
	v := ViewerOf(e.Auth)
	for _, sub := range e.Subscriptions {
		name, filter := parseSubscription(sub)
		collection, err := e.App.FindCachedCollectionByNameOrId(name)
		if err != nil || filter == "" {
			continue // a custom topic, or nothing to check
		}
		if path := forbiddenInFilter(e.App, v, collection, filter); path != "" {
			return e.BadRequestError("Invalid subscription filter.", validation.Errors{"subscriptions": errForbiddenField(path)})
		}
	}
	return e.Next()
}

// parseSubscription splits a topic such as
// `incident_reports/ID?options={"query":{"filter":"..."}}` the way
// PocketBase's subscriptions client does.
func parseSubscription(sub string) (collection, filter string) {
	u, err := url.Parse(sub)
	if err != nil {
		return "", ""
	}
	collection, _, _ = strings.Cut(u.Path, "/")
	var options struct {
		Query map[string]any `json:"query"`
	}
	if raw := u.Query().Get("options"); raw != "" {
		_ = json.Unmarshal([]byte(raw), &options) // invalid options carry no filter
	}
	filter, _ = options.Query[search.FilterQueryParam].(string)
	return collection, filter
}

// forbiddenInFilter returns the first identifier of a filter expression
// that reaches a field hidden from v, or "". It scans with the same
// tokenizer as PocketBase, so strings and comments are not mistaken for
// fields and function arguments are not missed.
func forbiddenInFilter(app core.App, v Viewer, collection *core.Collection, filter string) string {
	if v.Superuser || filter == "" {
		return ""
	}
	scanner := fexpr.NewScanner([]byte(filter))
	for {
		token, err := scanner.Scan()
		if err != nil || token.Type == fexpr.TokenEOF {
			// PocketBase refused an unparsable filter before this hook.
			return ""
		}
		if path := forbiddenInToken(app, v, collection, token); path != "" {
			return path
		}
	}
}

func forbiddenInToken(app core.App, v Viewer, collection *core.Collection, token fexpr.Token) string {
	switch token.Type {
	case fexpr.TokenIdentifier:
		if reachesHidden(app, v, collection, token.Literal) {
			return token.Literal
		}
	case fexpr.TokenFunction:
		args, _ := token.Meta.([]fexpr.Token)
		for _, arg := range args {
			if path := forbiddenInToken(app, v, collection, arg); path != "" {
				return path
			}
		}
	}
	return ""
}

func forbiddenInSort(app core.App, v Viewer, collection *core.Collection, sort string) string {
	if v.Superuser || sort == "" {
		return ""
	}
	for _, field := range search.ParseSortFromString(sort) {
		if reachesHidden(app, v, collection, field.Name) {
			return field.Name
		}
	}
	return ""
}

// backRelationName is PocketBase's "collection_via_field" path segment.
var backRelationName = regexp.MustCompile(`^(\w+)_via_(\w+)$`)

// reachesHidden walks a field path (reporter.name, related_incident.location,
// incident_reports_via_reporter.id, location:isset) from collection through
// relations and reports whether any step is a field hidden from v.
// Identifiers starting with @ or # are not record fields.
func reachesHidden(app core.App, v Viewer, collection *core.Collection, path string) bool {
	if strings.HasPrefix(path, "@") || strings.HasPrefix(path, "#") {
		return false
	}
	current := collection
	for _, segment := range strings.Split(path, ".") {
		if current == nil {
			return false
		}
		name, _, _ := strings.Cut(segment, ":")
		if m := backRelationName.FindStringSubmatch(name); m != nil {
			// The records of collection m[1] whose field m[2] points here.
			current = findCollection(app, m[1])
			if current != nil && queryHidden(v, current.Name, m[2]) {
				return true
			}
			continue
		}
		if queryHidden(v, current.Name, name) {
			return true
		}
		current = relationTarget(app, current, name)
	}
	return false
}

func queryHidden(v Viewer, collection, field string) bool {
	return slices.Contains(QueryHiddenFields(v, collection), field)
}

func findCollection(app core.App, nameOrID string) *core.Collection {
	c, err := app.FindCachedCollectionByNameOrId(nameOrID)
	if err != nil {
		return nil
	}
	return c
}

// relationTarget is the collection the relation field name of c points to,
// or nil when name is not a relation (the path ends in plain data).
func relationTarget(app core.App, c *core.Collection, name string) *core.Collection {
	field, ok := c.Fields.GetByName(name).(*core.RelationField)
	if !ok {
		return nil
	}
	return findCollection(app, field.CollectionId)
}
