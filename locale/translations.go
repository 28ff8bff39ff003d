package locale

import (
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// A translation group is an original (empty translation_of) and the
// records whose translation_of names it, in one collection without a slug
// (updates, fact_checks). The groups are one level deep and hold at most one
// version per language, so that "the version in language X" is well
// defined. Each collection's unique index (translation_of, language) keeps
// two translations apart; the checks below keep the rest, on every write
// path (REST, batch, sync push, dashboard, Go's app.Save).
const translationOfField = "translation_of"

// The error codes of translation groups, on the field that breaks them.
var (
	errTranslationOfItself = validation.NewError("content_translation_of_itself",
		"A text cannot be a translation of itself.")
	errTranslationOfTranslation = validation.NewError("content_translation_of_translation",
		"Point at the original text, not at one of its translations.")
	errTranslationHasTranslations = validation.NewError("content_translation_has_translations",
		"This text has translations of its own, so it cannot be a translation.")
	errTranslationSameLanguage = validation.NewError("content_translation_same_language",
		"There is already a version of this text in this language.")
)

// grouped reports whether c's records form translation groups: a select
// language and a single self-relation translation_of, and no slug.
// Collections with a slug (appeals) group their versions by slug instead,
// unique on (slug, language); their translation_of only records provenance
// and is not checked here.
func grouped(c *core.Collection) bool {
	rel, isRelation := c.Fields.GetByName(translationOfField).(*core.RelationField)
	_, isSelect := c.Fields.GetByName(languageField).(*core.SelectField)
	return isRelation && isSelect && rel.CollectionId == c.Id && !rel.IsMultiple() && !bySlug(c)
}

func bindTranslationChecks(app core.App) {
	app.OnRecordValidate().Bind(&hook.Handler[*core.RecordEvent]{
		Id: "amanLocaleTranslations",
		Func: func(e *core.RecordEvent) error {
			if grouped(e.Record.Collection()) {
				if err := ValidateTranslation(e.App, e.Record); err != nil {
					return err
				}
			}
			return e.Next()
		},
	})
}

// ValidateTranslation checks that saving r keeps its group one level deep
// with one version per language. It returns validation.Errors keyed by
// field, or another error when the database cannot be read. It runs after
// the fields' own validation, so translation_of names an existing record.
func ValidateTranslation(app core.App, r *core.Record) error {
	original := r.GetString(translationOfField)
	if original == "" {
		return validateOriginal(app, r)
	}
	if original == r.Id {
		return validation.Errors{translationOfField: errTranslationOfItself}
	}
	target, err := app.FindRecordById(r.Collection(), original)
	if err != nil {
		return nil // the relation field reports a missing record
	}
	switch {
	case target.GetString(translationOfField) != "":
		return validation.Errors{translationOfField: errTranslationOfTranslation}
	case target.GetString(languageField) == r.GetString(languageField):
		return validation.Errors{languageField: errTranslationSameLanguage}
	}
	n, err := countTranslations(app, r, nil)
	if err != nil {
		return err
	}
	if n > 0 {
		return validation.Errors{translationOfField: errTranslationHasTranslations}
	}
	return nil
}

// validateOriginal refuses an original in the language of one of its
// translations (its language changed, or it stopped being a translation).
func validateOriginal(app core.App, r *core.Record) error {
	n, err := countTranslations(app, r, dbx.HashExp{languageField: r.GetString(languageField)})
	if err != nil {
		return err
	}
	if n > 0 {
		return validation.Errors{languageField: errTranslationSameLanguage}
	}
	return nil
}

// countTranslations counts the stored records translating r, narrowed by
// where when it is not nil. A new record has none: a relation to a record
// that does not exist yet is refused.
func countTranslations(app core.App, r *core.Record, where dbx.Expression) (int, error) {
	if r.IsNew() {
		return 0, nil
	}
	q := app.RecordQuery(r.Collection()).
		Select("count(*)").
		AndWhere(dbx.HashExp{translationOfField: r.Id}).
		AndWhere(hasOriginal(r.Collection().Name))
	if where != nil {
		q.AndWhere(where)
	}
	var n int
	if err := q.Row(&n); err != nil {
		return 0, fmt.Errorf("count translations: %w", err)
	}
	return n, nil
}

// hasOriginal is the condition of the partial unique index on
// (translation_of, language): a query that states it can use the index.
func hasOriginal(table string) dbx.Expression {
	return dbx.NewExp(fmt.Sprintf("[[%s.%s]] != ''", table, translationOfField))
}
