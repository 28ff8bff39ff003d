package syncapi

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
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
	case *core.TextField, *core.EmailField, *core.URLField, *core.EditorField, *core.DateField:
		if _, ok := v.(string); !ok {
			return errValueType
		}
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
