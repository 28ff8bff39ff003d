package privacy

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ganigeorgiev/fexpr"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// CodeForbiddenQueryField is the error code (data.filter.code,
// data.sort.code or data.subscriptions.code) of a query that names a field
// hidden from the viewer. Stable API: translations key on it.
const CodeForbiddenQueryField = "privacy_forbidden_query_field"

// ForbiddenFieldError is the localized field error (code
// CodeForbiddenQueryField) of a filter, sort or subscription that names
// path, for the parameter it came in.
func ForbiddenFieldError(path string) validation.Error {
	return validation.NewError(CodeForbiddenQueryField, "You cannot filter or sort by {{.field}}.").
		SetParams(map[string]any{"field": path})
}

// guardListQuery refuses a list request whose filter or sort names a field
// hidden from the viewer. Its top-level message is PocketBase's default
// (""), which the locale middleware translates; the field error carries
// the code. It runs after PocketBase ran the query but before
// anything of its result is written.
func guardListQuery(e *core.RecordsListRequestEvent) error {
	v := ViewerOf(e.Auth)
	query := e.Request.URL.Query()
	if path := forbiddenInFilter(e.App, v, e.Collection, query.Get(search.FilterQueryParam)); path != "" {
		return e.BadRequestError("", validation.Errors{search.FilterQueryParam: ForbiddenFieldError(path)})
	}
	if path := forbiddenInSort(e.App, v, e.Collection, query.Get(search.SortQueryParam)); path != "" {
		return e.BadRequestError("", validation.Errors{search.SortQueryParam: ForbiddenFieldError(path)})
	}
	return e.Next()
}

// guardSubscriptions refuses realtime subscriptions whose filter option
// names a field hidden from the viewer: the events it lets through would
// disclose it.
func guardSubscriptions(e *core.RealtimeSubscribeRequestEvent) error {
	v := ViewerOf(e.Auth)
	for _, sub := range e.Subscriptions {
		if path := forbiddenInSubscription(e.App, v, sub); path != "" {
			return e.BadRequestError("", validation.Errors{"subscriptions": ForbiddenFieldError(path)})
		}
	}
	return e.Next()
}

// forbiddenInSubscription returns the first field a realtime topic's filter
// names that is hidden from v, or "".
func forbiddenInSubscription(app core.App, v Viewer, sub string) string {
	name, filter := SubscriptionFilter(sub)
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil || filter == "" {
		return "" // a custom topic, or nothing to check
	}
	return forbiddenInFilter(app, v, collection, filter)
}

// dropOutgrownSubscriptions disconnects the realtime clients of a user who
// was just saved when one of their subscriptions filters by a field the
// user may no longer use (after a role change: a volunteer's filter on
// reporter matched only their own reports; a coordinator's would tell who
// filed an anonymous one). The filter was checked when they subscribed,
// and PocketBase evaluates it on every event with the client's auth as it
// is now. The app reconnects and subscribes again, and guardSubscriptions
// judges its filters for the role it has then.
func dropOutgrownSubscriptions(e *core.RecordEvent) error {
	broker := e.App.SubscriptionsBroker()
	v := ViewerOf(e.Record)
	for _, client := range broker.Clients() {
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil || auth.Id != e.Record.Id || auth.Collection().Id != e.Record.Collection().Id {
			continue
		}
		for sub := range client.Subscriptions() {
			if forbiddenInSubscription(e.App, v, sub) != "" {
				broker.Unregister(client.Id())
				break
			}
		}
	}
	return e.Next()
}

// guardRealtimeMessage drops a message whose subscription filters by a
// field the client's user may not use as they are now. It closes the
// window dropOutgrownSubscriptions leaves: PocketBase gives a client its
// user's new role when the user is saved, and an event broadcast before
// that hook disconnects the client would be matched by the old filter with
// the new role's reach. Each subscription is judged once per client and
// user as they are; the judgments are kept for the subscriptions the
// client has (a connection may set a new list of 1000 topics at every
// subscribe request, for 30 minutes).
func guardRealtimeMessage(e *core.RealtimeMessageEvent) error {
	if e.Message == nil || !strings.Contains(e.Message.Name, "?") {
		return e.Next() // PB_CONNECT, a topic without options
	}
	auth, _ := e.Client.Get(apis.RealtimeClientAuthKey).(*core.Record)
	v := ViewerOf(auth)
	j, _ := e.Client.Get(judgmentsKey).(*subscriptionJudgments)
	if j == nil || j.viewer != v {
		j = &subscriptionJudgments{viewer: v, forbidden: map[string]bool{}}
		e.Client.Set(judgmentsKey, j)
	}
	j.mu.Lock()
	forbidden, judged := j.forbidden[e.Message.Name]
	if !judged {
		forbidden = forbiddenInSubscription(e.App, v, e.Message.Name) != ""
		if len(j.forbidden) >= len(e.Client.Subscriptions()) {
			for name := range j.forbidden {
				if !e.Client.HasSubscription(name) {
					delete(j.forbidden, name) // a topic the client has left
				}
			}
		}
		if e.Client.HasSubscription(e.Message.Name) {
			j.forbidden[e.Message.Name] = forbidden
		}
	}
	j.mu.Unlock()
	if forbidden {
		return nil // not written; dropOutgrownSubscriptions disconnects the client
	}
	return e.Next()
}

// judgmentsKey holds a realtime client's subscriptionJudgments.
const judgmentsKey = "amanPrivacySubscriptionJudgments"

// subscriptionJudgments are whether each of a client's subscriptions is
// forbidden to viewer.
type subscriptionJudgments struct {
	viewer    Viewer
	mu        sync.Mutex
	forbidden map[string]bool
}

// SubscriptionFilter splits a realtime topic such as
// `incident_reports/ID?options={"query":{"filter":"..."}}` into the
// collection it names and its filter. The filter is read by PocketBase's
// own subscriptions client, so that it is the one PocketBase applies to the
// topic's events: its options are read with encoding/json/v2, which stops
// at a repeated key with what it read so far, so of
// {"query":{"filter":"reporter='x'","filter":""}} the first filter
// applies, where encoding/json would read the last.
func SubscriptionFilter(sub string) (collection, filter string) {
	u, err := url.Parse(sub)
	if err != nil {
		return "", ""
	}
	collection, _, _ = strings.Cut(u.Path, "/")
	client := subscriptions.NewDefaultClient()
	client.Subscribe(sub)
	return collection, client.Subscriptions()[sub].Query[search.FilterQueryParam]
}

// forbiddenInFilter returns the first identifier of a filter expression
// that reaches a field hidden from v, or "". It reads the filter with the
// same parser as PocketBase (FilterIdentifiers), so strings and comments
// are not mistaken for fields, and nothing inside a group or a function's
// arguments is missed.
func forbiddenInFilter(app core.App, v Viewer, collection *core.Collection, filter string) string {
	if v.Superuser || filter == "" {
		return ""
	}
	for _, id := range FilterIdentifiers(filter) {
		if reachesHidden(app, v, collection, id) {
			return id
		}
	}
	return ""
}

// FilterIdentifiers lists the identifiers (field paths such as
// reporter.name or diff.reporter.new:lower, and @-variables) a PocketBase
// filter names, wherever they are: either side of a comparison, inside
// parenthesized groups at any depth, and in function arguments. A filter
// PocketBase cannot parse names none: PocketBase refuses it before it
// reads any record.
func FilterIdentifiers(filter string) []string {
	groups, err := fexpr.Parse(filter)
	if err != nil {
		return nil
	}
	var ids []string
	var walk func(groups []fexpr.ExprGroup)
	walk = func(groups []fexpr.ExprGroup) {
		for _, g := range groups {
			switch item := g.Item.(type) {
			case fexpr.Expr:
				ids = appendTokenIdentifiers(ids, item.Left)
				ids = appendTokenIdentifiers(ids, item.Right)
			case []fexpr.ExprGroup:
				walk(item)
			}
		}
	}
	walk(groups)
	return ids
}

func appendTokenIdentifiers(ids []string, token fexpr.Token) []string {
	switch token.Type {
	case fexpr.TokenIdentifier:
		return append(ids, token.Literal)
	case fexpr.TokenFunction:
		args, _ := token.Meta.([]fexpr.Token)
		for _, arg := range args {
			ids = appendTokenIdentifiers(ids, arg)
		}
	}
	return ids
}

func forbiddenInSort(app core.App, v Viewer, collection *core.Collection, sort string) string {
	if v.Superuser || sort == "" {
		return ""
	}
	for _, field := range search.ParseSortFromString(sort) {
		if reachesHidden(app, v, collection, field.Name) || endsInEmail(app, collection, field.Name) {
			return field.Name
		}
	}
	return ""
}

// endsInEmail reports whether a sort path (email, reporter.email,
// users_via_organization.email) ends in an account's e-mail. PocketBase
// hides an address its owner did not make visible from filters only: a
// sort orders the accounts by their hidden addresses, and a coordinator,
// who creates accounts with addresses of their choosing, could bisect
// another's address by where the new account sorts.
func endsInEmail(app core.App, collection *core.Collection, path string) bool {
	if strings.HasPrefix(path, "@") || strings.HasPrefix(path, "#") {
		return false
	}
	segments := strings.Split(path, ".")
	current := collection
	for i, segment := range segments {
		if current == nil {
			return false
		}
		name, _, _ := strings.Cut(segment, ":")
		if i == len(segments)-1 {
			return current.IsAuth() && name == core.FieldNameEmail
		}
		if m := backRelationName.FindStringSubmatch(name); m != nil && current.Fields.GetByName(name) == nil {
			current = findCollection(app, m[1])
			continue
		}
		current = relationTarget(app, current, name)
	}
	return false
}

// backRelationName is PocketBase's "collection_via_field" path segment.
var backRelationName = regexp.MustCompile(`^(\w+)_via_(\w+)$`)

// reachesHidden walks a field path (reporter.name, related_incident.location,
// incident_reports_via_reporter.id, location:isset) from collection through
// relations and reports whether any step is a field hidden from v, or
// whether the path fans out (a back-relation or a multiple relation) into
// records v may not all list (see listsEvery).
// Identifiers starting with @ or # are not record fields.
func reachesHidden(app core.App, v Viewer, collection *core.Collection, path string) bool {
	if strings.HasPrefix(path, "@") || strings.HasPrefix(path, "#") {
		return false
	}
	current := collection
	fannedOut := false
	for _, segment := range strings.Split(path, ".") {
		if current == nil {
			return false
		}
		if fannedOut && !listsEvery(v, current) {
			return true
		}
		name, _, _ := strings.Cut(segment, ":")
		if m := backRelationName.FindStringSubmatch(name); m != nil {
			// The records of collection m[1] whose field m[2] points here.
			current = findCollection(app, m[1])
			if current != nil && queryHidden(v, current.Name, m[2]) {
				return true
			}
			fannedOut = true
			continue
		}
		if queryHidden(v, current.Name, name) {
			return true
		}
		// PocketBase lets a filter read an account's e-mail only where its
		// owner made it visible, by a condition on the main query's join:
		// the "every one matches" subquery of a fan-out compares hidden
		// addresses too (organizations?filter=users_via_organization.email
		// != '<guess>' drops the organization when a member has that
		// address).
		if fannedOut && current.IsAuth() && name == core.FieldNameEmail {
			return true
		}
		if field, ok := current.Fields.GetByName(name).(*core.RelationField); ok && field.IsMultiple() {
			fannedOut = true
		}
		current = relationTarget(app, current, name)
	}
	return false
}

// listsEvery reports whether the API rules let v list every record of c.
//
// A filter that fans out from a record to many (a back-relation such as
// districts?filter=incident_reports_via_district.location.lat > 40.1, or a
// multiple relation such as updates.related_incidents) must only reach
// records v may list. PocketBase applies the target's list rule to the
// join of the main query only: the "every one matches" subquery of =, !=,
// <, >, ~ (all but the ?-operators) reads every related record, so a
// volunteer with one report of their own in a district learnt others'
// exact locations, reporters and descriptions there by bisection; and the
// rule on the join drops a record whose related records are all hidden
// from v, which tells the public in which districts reports or aid
// requests were filed. So fanning out into records v may not all list is
// refused, for every operator and in sorts too, by role and collection
// alone (a refusal that depended on the records would itself tell).
// The grants are those of docs/data-model.md, "Who may do what".
func listsEvery(v Viewer, c *core.Collection) bool {
	switch {
	case v.Superuser:
		return true
	case c.ListRule != nil && *c.ListRule == "":
		return true // public: districts, public_incidents
	case v.is(RoleCoordinator):
		return slices.Contains([]string{reports, aidRequests, "users", "organizations"}, c.Name)
	case v.is(RoleEditor):
		return slices.Contains([]string{"updates", "fact_checks"}, c.Name)
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
