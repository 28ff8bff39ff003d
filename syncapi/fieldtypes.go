package syncapi

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/changelog"
)

// typeErrors reports the fields of data given a JSON value of a type the
// field cannot hold as sent. PocketBase's record API coerces such values:
// a number field given "three" stores 0, a single select given two values
// keeps the last one, a point given a string stores 0,0. A casualty count
// silently turned to 0 misleads whoever decides on aid; a refused change
// the volunteer can correct does not. null always passes (it clears the
// field). data holds only fields of c (cleanData).
func typeErrors(c *core.Collection, data map[string]any) validation.Errors {
	errs := validation.Errors{}
	for name, v := range data {
		f := c.Fields.GetByName(name)
		if f == nil || v == nil {
			continue
		}
		if err := typeError(f, v); err != nil {
			errs[name] = err
		}
	}
	return errs
}

var (
	errDateInvalid = validation.NewError("validation_date_invalid", "Must be a valid date.")
	errNotNumber   = validation.NewError("validation_not_a_number", "The submitted number is not properly formatted.")
	errValueType   = validation.NewError("validation_unsupported_value_type", "Invalid or unsupported value type.")
	errTooManyVals = validation.NewError("validation_too_many_values", "Select no more than {{.maxSelect}} value.")
)

// typeError checks one non-null value; fields of types not listed (json,
// password) take any value.
func typeError(f core.Field, v any) error {
	switch f := f.(type) {
	case *core.NumberField:
		if _, ok := v.(float64); !ok {
			return errNotNumber
		}
	case *core.BoolField:
		if _, ok := v.(bool); !ok {
			return errValueType
		}
	case *core.TextField, *core.EmailField, *core.URLField, *core.EditorField:
		if _, ok := v.(string); !ok {
			return errValueType
		}
	case *core.DateField:
		text, ok := v.(string)
		if !ok {
			return errValueType
		}
		return dateError(text)
	case *core.GeoPointField:
		return pointError(v)
	case *core.SelectField:
		return listError(v, f.MaxSelect)
	case *core.RelationField:
		return listError(v, f.MaxSelect)
	case *core.FileField:
		return listError(v, f.MaxSelect)
	}
	return nil
}

// pointError accepts {"lon": number, "lat": number}.
func pointError(v any) error {
	p, ok := v.(map[string]any)
	if !ok {
		return errValueType
	}
	for _, k := range []string{"lon", "lat"} {
		if _, ok := p[k].(float64); !ok {
			return errValueType
		}
	}
	return nil
}

// listError accepts a string or an array of strings, of at most one
// element when the field holds one value.
func listError(v any, maxSelect int) error {
	if _, ok := v.(string); ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return errValueType
	}
	for _, x := range list {
		if _, ok := x.(string); !ok {
			return errValueType
		}
	}
	if maxSelect <= 1 && len(list) > 1 {
		return errTooManyVals.SetParams(map[string]any{"maxSelect": 1})
	}
	return nil
}

// dateError refuses a date PocketBase cannot read ("25.11.2026", month 13):
// it would store no date, and a required date field would then answer
// validation_required to a user who had filled it in. The empty string
// clears the field.
func dateError(text string) error {
	if text == "" {
		return nil
	}
	if d, err := types.ParseDateTime(text); err != nil || d.IsZero() {
		return errDateInvalid
	}
	return nil
}

// bindDateChecks holds the records API (REST, /api/batch, the dashboard)
// to the same reading of dates as push. Only dates: a multipart form sends
// every value as a string, so the other type checks are push's alone.
func bindDateChecks(app core.App) {
	check := func(e *core.RecordRequestEvent, message string) error {
		if _, pushed := e.Get(changelog.ClientKey).(string); pushed {
			return e.Next() // typeErrors judged the mutation's data already
		}
		if !mayHoldUnreadableDate(e) {
			return e.Next()
		}
		// the body as sent: RequestInfo's already holds the fields' values,
		// an unreadable date among them as no date
		body := map[string]any{}
		if err := e.BindBody(&body); err != nil {
			return e.Next() // the record handler reports it
		}
		errs := validation.Errors{}
		for name, v := range body {
			if _, isDate := e.Collection.Fields.GetByName(name).(*core.DateField); !isDate {
				continue
			}
			if text, ok := v.(string); ok {
				if err := dateError(text); err != nil {
					errs[name] = err
				}
			}
		}
		if len(errs) > 0 {
			return e.BadRequestError(message, errs)
		}
		return e.Next()
	}
	app.OnRecordCreateRequest().BindFunc(func(e *core.RecordRequestEvent) error {
		return check(e, "Failed to create record.")
	})
	app.OnRecordUpdateRequest().BindFunc(func(e *core.RecordRequestEvent) error {
		return check(e, "Failed to update record.")
	})
}

// mayHoldUnreadableDate reports whether the request's values, as the
// record handler read them, give a date field no date: only then may the
// body as sent hold a date PocketBase could not read, and only then is it
// decoded again (a second decoding of every body cost /api/batch 5–10 %
// of its CPU).
func mayHoldUnreadableDate(e *core.RecordRequestEvent) bool {
	info, err := e.RequestInfo()
	if err != nil {
		return true
	}
	for name, v := range info.Body {
		if _, isDate := e.Collection.Fields.GetByName(name).(*core.DateField); !isDate {
			continue
		}
		if d, ok := v.(types.DateTime); !ok || d.IsZero() {
			return true
		}
	}
	return false
}
