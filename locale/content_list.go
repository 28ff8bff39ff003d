package locale

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// Paging of the content list. A reader's page of updates is a screenful;
// 100 keeps one response small enough for a slow mobile link.
// maxPage only keeps the offset from overflowing: no collection has a
// million pages of texts, so a page past it is empty, like any page past
// the last (not refused: it is a whole number from 1).
const (
	defaultPerPage = 30
	maxPerPage     = 100
	maxPage        = 1_000_000
)

// The error codes of the content list's paging, on the query parameter.
var (
	errInvalidPage = validation.NewError("content_invalid_page",
		"Must be a whole number from 1.")
	errInvalidPerPage = validation.NewError("content_invalid_per_page",
		"Must be a whole number from 1 to {{.max}}.").SetParams(map[string]any{"max": maxPerPage})
)

// ContentPage is the answer of the content list: one entry per
// translation group, each in the best language for the reader.
type ContentPage struct {
	Page       int              `json:"page"`
	PerPage    int              `json:"perPage"`
	TotalItems int              `json:"totalItems"`
	TotalPages int              `json:"totalPages"`
	Requested  string           `json:"requested"`
	Items      []ContentVersion `json:"items"`
}

// contentListHandler serves GET /api/aman/content/{collection}?page&perPage:
// the translation groups with a version the requester may list (the
// collection's list rule), newest first, each picked like the single form.
func contentListHandler(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || !grouped(col) {
		return e.NotFoundError("", err)
	}
	page, perPage, err := paging(e.Request.URL.Query())
	if err != nil {
		return e.BadRequestError("", err)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	if col.ListRule == nil && !info.HasSuperuserAuth() {
		return e.ForbiddenError("Only superusers can perform this action.", nil)
	}
	out, records, err := contentPage(e.App, col, info, FromRequest(e), page, perPage)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if err := apis.EnrichRecords(e, records); err != nil {
		return e.InternalServerError("", fmt.Errorf("enrich content: %w", err))
	}
	e.Response.Header().Set("Content-Language", servedLanguages(out))
	e.Response.Header().Add("Vary", "Authorization")
	return e.JSON(http.StatusOK, out)
}

// paging reads page and perPage; absent means the default, anything but a
// whole number in range is refused.
func paging(q url.Values) (page, perPage int, err error) {
	page, perPage = 1, defaultPerPage
	errs := validation.Errors{}
	if s := q.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			errs["page"] = errInvalidPage
		}
	}
	if s := q.Get("perPage"); s != "" {
		if perPage, err = strconv.Atoi(s); err != nil || perPage < 1 || perPage > maxPerPage {
			errs["perPage"] = errInvalidPerPage
		}
	}
	if len(errs) > 0 {
		return 0, 0, errs
	}
	return page, perPage, nil
}

func contentPage(app core.App, col *core.Collection, info *core.RequestInfo, lang string, page, perPage int) (ContentPage, []*core.Record, error) {
	out := ContentPage{Page: page, PerPage: perPage, Requested: lang, Items: []ContentVersion{}}
	total, err := countGroups(app, col, info)
	if err != nil {
		return out, nil, err
	}
	out.TotalItems, out.TotalPages = total, (total+perPage-1)/perPage
	if page > maxPage {
		// Past any page there can be (and past what an offset may hold):
		// empty, like every page after the last.
		return out, nil, nil
	}
	groups, err := pageGroups(app, col, info, page, perPage)
	if err != nil {
		return out, nil, err
	}
	members, err := groupMembers(app, col, info, groups)
	if err != nil {
		return out, nil, err
	}
	var records []*core.Record
	for _, g := range groups {
		if v, ok := chooseVersion(lang, members[g]); ok {
			out.Items = append(out.Items, v)
			records = append(records, v.Record)
		}
	}
	return out, records, nil
}

// groupExpr is the SQL of a row's group key: its original's id.
func groupExpr(col *core.Collection) string {
	return fmt.Sprintf("COALESCE(NULLIF([[%[1]s.%[2]s]], ''), [[%[1]s.id]])", col.Name, translationOfField)
}

// newestField orders groups: published_at where the collection has it
// (updates, fact_checks), else created. Drafts have no published_at and
// come last.
func newestField(col *core.Collection) string {
	if col.Fields.GetByName("published_at") != nil {
		return "published_at"
	}
	return "created"
}

func countGroups(app core.App, col *core.Collection, info *core.RequestInfo) (int, error) {
	q := app.ConcurrentDB().Select("COUNT(DISTINCT " + groupExpr(col) + ")").From(col.Name)
	if err := withListRule(app, q, col, info); err != nil {
		return 0, err
	}
	var n int
	if err := q.Row(&n); err != nil {
		return 0, fmt.Errorf("count groups: %w", err)
	}
	return n, nil
}

// pageGroups returns the group keys of one page, newest group first (its
// newest listable version), ties broken by key so pages do not overlap.
func pageGroups(app core.App, col *core.Collection, info *core.RequestInfo, page, perPage int) ([]string, error) {
	q := app.ConcurrentDB().
		Select(groupExpr(col)+" AS grp", fmt.Sprintf("MAX([[%s.%s]]) AS newest", col.Name, newestField(col))).
		From(col.Name)
	if err := withListRule(app, q, col, info); err != nil {
		return nil, err
	}
	q.GroupBy("grp").OrderBy("newest DESC", "grp DESC").
		Limit(int64(perPage)).Offset(int64((page - 1) * perPage))
	var rows []struct {
		Grp    string `db:"grp"`
		Newest string `db:"newest"`
	}
	if err := q.All(&rows); err != nil {
		return nil, fmt.Errorf("page groups: %w", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Grp
	}
	return out, nil
}

// groupMembers returns the listable versions of groups, by group key,
// oldest first.
func groupMembers(app core.App, col *core.Collection, info *core.RequestInfo, groups []string) (map[string][]*core.Record, error) {
	out := map[string][]*core.Record{}
	if len(groups) == 0 {
		return out, nil
	}
	keys := make([]any, len(groups))
	for i, g := range groups {
		keys[i] = g
	}
	q := app.RecordQuery(col).
		AndWhere(dbx.Or(
			dbx.In(col.Name+".id", keys...),
			dbx.And(dbx.In(col.Name+"."+translationOfField, keys...), hasOriginal(col.Name)),
		)).
		OrderBy(col.Name+".created ASC", col.Name+".id ASC")
	if err := withListRule(app, q, col, info); err != nil {
		return nil, err
	}
	var records []*core.Record
	if err := q.All(&records); err != nil {
		return nil, fmt.Errorf("group members: %w", err)
	}
	for _, r := range records {
		out[groupOf(r)] = append(out[groupOf(r)], r)
	}
	return out, nil
}

// withListRule narrows q to the rows the requester may list, with
// PocketBase's own rule resolver (joins and the related collections' rules
// included). Superusers and an empty rule see everything; a nil rule is
// refused by the handler before this.
func withListRule(app core.App, q *dbx.SelectQuery, col *core.Collection, info *core.RequestInfo) error {
	if info.HasSuperuserAuth() || col.ListRule == nil || *col.ListRule == "" {
		return nil
	}
	resolver := core.NewRecordFieldResolver(app, col, info, true)
	expr, err := search.FilterData(*col.ListRule).BuildExpr(resolver)
	if err != nil {
		return fmt.Errorf("list rule: %w", err)
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return fmt.Errorf("list rule joins: %w", err)
	}
	return nil
}

// servedLanguages is the Content-Language of a page: the languages of its
// items, or the requested one when it is empty.
func servedLanguages(p ContentPage) string {
	langs := make([]string, 0, len(p.Items))
	for _, v := range p.Items {
		langs = append(langs, v.Language)
	}
	if len(langs) == 0 {
		return p.Requested
	}
	return strings.Join(compactSorted(langs), ", ")
}
