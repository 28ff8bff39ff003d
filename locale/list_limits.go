package locale

import (
	"errors"
	"net/http"

	"github.com/ganigeorgiev/fexpr"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"

	"aman/privacy"
)

// The codes of a list request over PocketBase's search limits
// (data.filter.code or data.sort.code, params.max the limit).
const (
	CodeListFilterTooComplex = "list_filter_too_complex"
	CodeListFilterTooLong    = "list_filter_too_long"
	CodeListSortTooMany      = "list_sort_too_many"
	CodeListSortFieldTooLong = "list_sort_field_too_long"
)

// listLimits are PocketBase's search limits (tools/search of v0.40.4), each
// with the parameter it limits and the code and English of its answer.
// PocketBase answers them all with 400 "Something went wrong while
// processing your request." and empty data: the reason ("max filter
// expressions limit reached") is only in the logs, and a client cannot
// tell a filter too complex from a server fault.
var listLimits = []struct {
	err         error
	param, code string
	max         int
	message     string
}{
	{search.ErrFilterExprLimit, search.FilterQueryParam, CodeListFilterTooComplex, search.DefaultFilterExprLimit,
		"The filter is too complex: it may have at most {{.max}} conditions."},
	{search.ErrFilterLengthLimit, search.FilterQueryParam, CodeListFilterTooLong, search.MaxFilterLength,
		"The filter is too long: it may have at most {{.max}} characters."},
	{search.ErrSortExprLimit, search.SortQueryParam, CodeListSortTooMany, search.DefaultSortExprLimit,
		"Sort by at most {{.max}} fields."},
	{search.ErrSortFieldLengthLimit, search.SortQueryParam, CodeListSortFieldTooLong, search.MaxSortFieldLength,
		"A sort field is too long: it may have at most {{.max}} characters."},
}

// explainListLimit returns the answer to a list request over one of
// PocketBase's search limits: 400 with the limit's code and params.max
// under data.filter or data.sort, and the same message on top (which
// LocalizeApiError then gives in the request's language, see reasonOf).
// Any other error is returned as it is. PocketBase keeps the search error
// as the ApiError's raw data, which errors.Is reads.
func explainListLimit(apiErr *router.ApiError) *router.ApiError {
	if apiErr == nil || apiErr.Status != http.StatusBadRequest {
		return apiErr
	}
	for _, l := range listLimits {
		if !errors.Is(apiErr, l.err) {
			continue
		}
		return limitError(l.param, l.code)
	}
	return apiErr
}

// limitError is the 400 answer of the list limit of code, under
// data.<field>, its message on top.
func limitError(field, code string) *router.ApiError {
	for _, l := range listLimits {
		if l.code == code {
			item := validation.NewError(l.code, l.message).SetParams(map[string]any{"max": l.max})
			return router.NewBadRequestError(item.Error(), validation.Errors{field: item})
		}
	}
	panic("locale: no list limit " + code)
}

// guardSubscriptionFilters refuses a realtime subscribe request whose
// filter (a topic's options.query.filter, read as PocketBase reads it:
// privacy.SubscriptionFilter) has more conditions than a list's may: 400
// list_filter_too_complex under data.subscriptions, its message on top.
// PocketBase evaluates the filter on every write of the collection while
// the writer waits, and checks its conditions only then (an event it
// cannot build is dropped unseen). The list's length limit (3500
// characters) needs no check here: PocketBase takes a topic of at most
// 2500 characters. It runs before the other subscribe hooks, so that
// privacy's look at the filter's fields never reads a filter this
// refuses.
func guardSubscriptionFilters(e *core.RealtimeSubscribeRequestEvent) error {
	for _, sub := range e.Subscriptions {
		_, filter := privacy.SubscriptionFilter(sub)
		if filter == "" {
			continue
		}
		groups, err := fexpr.Parse(filter)
		if err != nil || filterConditions(groups) <= search.DefaultFilterExprLimit {
			continue // one PocketBase cannot parse matches nothing
		}
		return limitError("subscriptions", CodeListFilterTooComplex)
	}
	return e.Next()
}

// filterConditions counts a parsed filter's conditions as PocketBase's
// filter builder does against its limit (tools/search/filter.go): every
// comparison, in groups at any depth.
func filterConditions(groups []fexpr.ExprGroup) int {
	n := 0
	for _, g := range groups {
		switch item := g.Item.(type) {
		case fexpr.Expr:
			n++
		case fexpr.ExprGroup:
			n += filterConditions([]fexpr.ExprGroup{item})
		case []fexpr.ExprGroup:
			n += filterConditions(item)
		}
	}
	return n
}
