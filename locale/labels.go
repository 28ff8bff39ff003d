package locale

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Labels are what a client shows for the collections, fields and select
// values of the schema, in one language. Select values are stable English
// codes in the data; people read these labels.
type Labels struct {
	Language    string                     `json:"language"`
	Collections map[string]CollectionLabel `json:"collections"`
}

// CollectionLabel labels a collection and each of its fields.
type CollectionLabel struct {
	Label  string                `json:"label"`
	Fields map[string]FieldLabel `json:"fields"`
}

// FieldLabel labels a field and, for a select field, each of its values.
type FieldLabel struct {
	Label  string            `json:"label"`
	Values map[string]string `json:"values,omitempty"`
}

// Label message IDs. The schema is data, so these IDs are built at runtime
// and their English sources are in catalog_labels.go; a test walks the
// schema and fails when an ID has no message. A value or field label is
// looked up for its collection first, then shared by field name, so that
// `region` or `language` are translated once:
//
//	collection.<collection>
//	field.<collection>.<field>         then field.<field>
//	label.<collection>.<field>.<value> then label.<field>.<value>
func collectionLabelID(c string) string { return "collection." + c }

func fieldLabelIDs(c, f string) []string {
	return []string{"field." + c + "." + f, "field." + f}
}

func valueLabelIDs(c, f, v string) []string {
	return []string{"label." + c + "." + f + "." + v, "label." + f + "." + v}
}

// LabelMessageIDs returns, for every label the schema of app needs, the IDs
// that may provide it (in lookup order). Tests use it to check that every
// language has every label.
func LabelMessageIDs(app core.App) ([][]string, error) {
	cols, err := labeledCollections(app)
	if err != nil {
		return nil, err
	}
	var ids [][]string
	for _, c := range cols {
		ids = append(ids, []string{collectionLabelID(c.Name)})
		for _, f := range labeledFields(c) {
			ids = append(ids, fieldLabelIDs(c.Name, f.GetName()))
			for _, v := range selectValues(f) {
				ids = append(ids, valueLabelIDs(c.Name, f.GetName(), v))
			}
		}
	}
	return ids, nil
}

// BuildLabels returns the labels of every non-system collection of app in
// lang, falling back to English for a missing message and to the raw name
// when even English lacks it.
func BuildLabels(app core.App, lang string) (*Labels, error) {
	cols, err := labeledCollections(app)
	if err != nil {
		return nil, err
	}
	out := &Labels{Language: lang, Collections: make(map[string]CollectionLabel, len(cols))}
	for _, c := range cols {
		cl := CollectionLabel{Label: firstLabel(lang, c.Name, collectionLabelID(c.Name)), Fields: map[string]FieldLabel{}}
		for _, f := range labeledFields(c) {
			fl := FieldLabel{Label: firstLabel(lang, f.GetName(), fieldLabelIDs(c.Name, f.GetName())...)}
			if vals := selectValues(f); len(vals) > 0 {
				fl.Values = make(map[string]string, len(vals))
				for _, v := range vals {
					fl.Values[v] = firstLabel(lang, v, valueLabelIDs(c.Name, f.GetName(), v)...)
				}
			}
			cl.Fields[f.GetName()] = fl
		}
		out.Collections[c.Name] = cl
	}
	return out, nil
}

func firstLabel(lang, fallback string, ids ...string) string {
	for _, id := range ids {
		if s := T(lang, id, nil); s != id {
			return s
		}
	}
	return fallback
}

// labeledCollections are the collections people work with: every
// non-system one (users included) that someone other than a superuser may
// read (the dashboard superusers use is in English), sorted by name.
func labeledCollections(app core.App) ([]*core.Collection, error) {
	all, err := app.FindAllCollections()
	if err != nil {
		return nil, fmt.Errorf("find collections: %w", err)
	}
	var out []*core.Collection
	for _, c := range all {
		if !c.System && (c.ListRule != nil || c.ViewRule != nil) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *core.Collection) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// labeledFields are the fields a person may see: not hidden, and not the
// auth machinery (password, tokenKey) nor the id.
func labeledFields(c *core.Collection) []core.Field {
	var out []core.Field
	for _, f := range c.Fields {
		if f.GetHidden() || f.GetName() == "id" {
			continue
		}
		out = append(out, f)
	}
	return out
}

func selectValues(f core.Field) []string {
	if s, ok := f.(*core.SelectField); ok {
		return s.Values
	}
	return nil
}

// labelsHandler serves GET /api/aman/labels[?lang=…]: the labels in the
// request's language, with an ETag over the body so that offline clients
// revalidate with If-None-Match and get 304 while nothing changed.
func labelsHandler(e *core.RequestEvent) error {
	lang := FromRequest(e)
	labels, err := BuildLabels(e.App, lang)
	if err != nil {
		return e.InternalServerError("", err)
	}
	body, err := json.Marshal(labels)
	if err != nil {
		return e.InternalServerError("", fmt.Errorf("marshal labels: %w", err))
	}
	etag := ContentETag(body)
	h := e.Response.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Add("Vary", "Authorization")
	h.Set("Content-Language", lang)
	if etagMatches(e.Request.Header.Get("If-None-Match"), etag) {
		return e.NoContent(http.StatusNotModified)
	}
	return e.Blob(http.StatusOK, "application/json; charset=utf-8", body)
}

// ContentETag is the strong ETag of body: a hash of the bytes served.
func ContentETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagMatches implements If-None-Match's weak comparison: any listed tag,
// W/ prefixed or not, or *. The header is read in place, tag by tag: a
// 1 MiB header of commas split into strings was 16 MiB of allocations on
// an anonymous route.
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
