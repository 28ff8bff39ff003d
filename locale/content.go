package locale

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Multilingual content is a set of records of one collection sharing a
// `slug`, one per `language` (appeals: the original and its translations,
// unique on slug+language). Any collection with a text `slug` and a select
// `language` field qualifies.
const (
	slugField     = "slug"
	languageField = "language"
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
	// Notice, in the requested language, says that a fallback is shown.
	Notice string       `json:"notice,omitempty"`
	Record *core.Record `json:"record"`
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

// contentHandler serves GET /api/aman/content/{collection}/{slug}: the
// version of slug in the request's language or the best fallback, with
// `fallback: true` and Content-Language telling which language it is in.
// Only versions the requester may view (the collection's view rule) count.
func contentHandler(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || !multilingual(col) {
		return e.NotFoundError("", err)
	}
	versions, err := viewableVersions(e, col, e.Request.PathValue("slug"))
	if err != nil {
		return err
	}
	lang := FromRequest(e)
	best := PickVersion(lang, versions)
	if best == nil {
		return e.NotFoundError("", nil)
	}
	if err := apis.EnrichRecord(e, best); err != nil {
		return e.InternalServerError("", fmt.Errorf("enrich content: %w", err))
	}
	got := best.GetString(languageField)
	e.Response.Header().Set("Content-Language", got)
	e.Response.Header().Add("Vary", "Authorization")
	v := ContentVersion{
		Language:  got,
		Requested: lang,
		Fallback:  got != lang,
		Available: languagesOf(versions),
		Record:    best,
	}
	if v.Fallback {
		v.Notice = FallbackNotice(lang, got)
	}
	return e.JSON(http.StatusOK, v)
}

func multilingual(c *core.Collection) bool {
	_, isText := c.Fields.GetByName(slugField).(*core.TextField)
	_, isSelect := c.Fields.GetByName(languageField).(*core.SelectField)
	return isText && isSelect
}

func viewableVersions(e *core.RequestEvent, col *core.Collection, slug string) ([]*core.Record, error) {
	all, err := e.App.FindAllRecords(col, dbx.HashExp{slugField: slug})
	if err != nil {
		return nil, e.InternalServerError("", fmt.Errorf("find versions: %w", err))
	}
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
	slices.Sort(out)
	return slices.Compact(out)
}
