package locale

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Multilingual content is a group of records of one collection, one per
// `language`: an original and its translations. Collections with a text
// `slug` (appeals, unique on slug+language) are keyed by it; the others
// (updates, fact_checks) by the original's id, their translations pointing
// at it through `translation_of` (translations.go).
const (
	slugField     = "slug"
	languageField = "language"
	// outdatedField marks a translation its original left behind
	// (pb_migrations/1795767950_outdated_translations.js).
	outdatedField = "outdated"
	// relatedUnverifiedField marks a published update that relates a
	// report which is not verified now
	// (pb_migrations/1795768200_related_unverified.js, workflow/reopened.go).
	relatedUnverifiedField = "related_unverified"
)

// fallbacks lists, for each requested language, the languages to offer
// next, best first. Russian is the language the communities of Sughd and
// Batken most often share, so the local languages fall back to it before
// English; Russian readers get English, English readers Russian. Content in
// none of these falls back to the original (no translation_of), then to
// any version.
var fallbacks = map[string][]string{
	Tajik:         {Russian, English},
	Kyrgyz:        {Russian, English},
	UzbekCyrillic: {Russian, English},
	Russian:       {English},
	English:       {Russian},
}

// ContentVersion is the answer of the content endpoint: the record in the
// best available language, with the fallback made visible.
type ContentVersion struct {
	Language  string   `json:"language"`
	Requested string   `json:"requested"`
	Fallback  bool     `json:"fallback"`
	Available []string `json:"available"`
	// Group is the id of the original, in collections grouped by
	// translation_of: the stable key of this text in any language.
	Group string `json:"group,omitempty"`
	// Notice, in the requested language, says that a fallback is shown.
	Notice string `json:"notice,omitempty"`
	// Outdated says the version served is a translation whose original
	// changed after it was written (its outdated field), and
	// OutdatedNotice says so in the requested language.
	Outdated       bool   `json:"outdated,omitempty"`
	OutdatedNotice string `json:"outdatedNotice,omitempty"`
	// RelatedUnverified says the update served rests on a report that is
	// being checked again (relatedUnverified), and RelatedUnverifiedNotice
	// says so in the requested language.
	RelatedUnverified       bool         `json:"relatedUnverified,omitempty"`
	RelatedUnverifiedNotice string       `json:"relatedUnverifiedNotice,omitempty"`
	Record                  *core.Record `json:"record"`
}

// FallbackNotice tells a reader of lang that the text is shown in got.
func FallbackNotice(lang, got string) string {
	name := func(l string) string { return firstLabel(lang, l, valueLabelIDs("", languageField, l)[1]) }
	return T(lang, "content_fallback_notice", map[string]any{"Requested": name(lang), "Language": name(got)})
}

// PickVersion returns the record of versions best for lang (see fallbacks),
// or nil when versions is empty. It never translates anything.
func PickVersion(lang string, versions []*core.Record) *core.Record {
	for _, want := range append([]string{lang}, fallbacks[lang]...) {
		for _, r := range versions {
			if r.GetString(languageField) == want {
				return r
			}
		}
	}
	for _, r := range versions {
		if r.GetString("translation_of") == "" {
			return r
		}
	}
	if len(versions) > 0 {
		return versions[0]
	}
	return nil
}

// contentHandler serves GET /api/aman/content/{collection}/{key}: the
// version of a group in the request's language or the best fallback, with
// `fallback: true` and Content-Language telling which language it is in.
// The key is the slug in collections with one (appeals), else the id of any
// version of the group (updates, fact_checks). Only versions the requester
// may view (the collection's view rule) count.
func contentHandler(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || !(bySlug(col) || grouped(col)) {
		return e.NotFoundError("", err)
	}
	versions, err := keyVersions(e, col, e.Request.PathValue("key"))
	if err != nil {
		return err
	}
	v, ok := chooseVersion(FromRequest(e), versions)
	if !ok {
		return e.NotFoundError("", nil)
	}
	if err := apis.EnrichRecord(e, v.Record); err != nil {
		return e.InternalServerError("", fmt.Errorf("enrich content: %w", err))
	}
	e.Response.Header().Set("Content-Language", v.Language)
	e.Response.Header().Add("Vary", "Authorization")
	return e.JSON(http.StatusOK, v)
}

// chooseVersion picks among the versions of one group, false when there is
// none.
func chooseVersion(lang string, versions []*core.Record) (ContentVersion, bool) {
	best := PickVersion(lang, versions)
	if best == nil {
		return ContentVersion{}, false
	}
	got := best.GetString(languageField)
	v := ContentVersion{
		Language:  got,
		Requested: lang,
		Fallback:  got != lang,
		Available: languagesOf(versions),
		Record:    best,
	}
	if grouped(best.Collection()) {
		v.Group = groupOf(best)
	}
	if v.Fallback {
		v.Notice = FallbackNotice(lang, got)
	}
	if best.GetBool(outdatedField) {
		v.Outdated = true
		v.OutdatedNotice = T(lang, "content_outdated_notice", nil)
	}
	if relatedUnverified(best, versions) {
		v.RelatedUnverified = true
		v.RelatedUnverifiedNotice = T(lang, "content_related_unverified_notice", nil)
	}
	return v, true
}

// relatedUnverified reports whether the version served rests on a report
// that is not verified now. The workflow marks each published update by
// the reports it relates itself, and a translation need not relate any:
// its text is its original's, so the original's mark counts for it too
// (when the original is among the versions the reader may view; it is
// marked only while published, and so viewable). An original is judged by
// its own relation only: a report that only a translation relates is that
// translation's.
func relatedUnverified(best *core.Record, versions []*core.Record) bool {
	if best.GetBool(relatedUnverifiedField) {
		return true
	}
	original := best.GetString(translationOfField)
	if original == "" {
		return false
	}
	for _, r := range versions {
		if r.Id == original {
			return r.GetBool(relatedUnverifiedField)
		}
	}
	return false
}

// bySlug reports whether c's versions share a text slug (appeals).
func bySlug(c *core.Collection) bool {
	_, isText := c.Fields.GetByName(slugField).(*core.TextField)
	_, isSelect := c.Fields.GetByName(languageField).(*core.SelectField)
	return isText && isSelect
}

// groupOf is the id of r's original: the key of its translation group.
func groupOf(r *core.Record) string {
	if original := r.GetString(translationOfField); original != "" {
		return original
	}
	return r.Id
}

// keyVersions returns the versions of key's group the requester may view.
// An id resolves to its group even when the caller may not view that
// version (ids are unguessable; that version is still never served).
func keyVersions(e *core.RequestEvent, col *core.Collection, key string) ([]*core.Record, error) {
	where := dbx.Expression(dbx.HashExp{slugField: key})
	if !bySlug(col) {
		member, err := e.App.FindRecordById(col, key)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, e.InternalServerError("", fmt.Errorf("find version: %w", err))
		}
		g := groupOf(member)
		where = dbx.Or(dbx.HashExp{"id": g}, dbx.And(dbx.HashExp{translationOfField: g}, hasOriginal(col.Name)))
	}
	all, err := e.App.FindAllRecords(col, where)
	if err != nil {
		return nil, e.InternalServerError("", fmt.Errorf("find versions: %w", err))
	}
	return viewable(e, col, all)
}

func viewable(e *core.RequestEvent, col *core.Collection, all []*core.Record) ([]*core.Record, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return nil, e.BadRequestError("", err)
	}
	var out []*core.Record
	for _, r := range all {
		ok, err := e.App.CanAccessRecord(r, info, col.ViewRule)
		if err != nil {
			return nil, e.InternalServerError("", fmt.Errorf("check access: %w", err))
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func languagesOf(versions []*core.Record) []string {
	out := make([]string, 0, len(versions))
	for _, r := range versions {
		out = append(out, r.GetString(languageField))
	}
	return compactSorted(out)
}

func compactSorted(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}
