package workflow

import (
	"errors"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// requireNotBlank refuses a required text made of spaces alone (a report's
// description "   ", an update's body), which PocketBase's required check
// lets through: a report with nothing to review, an update published with
// nothing to read. It judges the fields the write changes, so a stored row
// does not block a review, and adds its errors to those of the other
// validators, so the user learns of every field at once.
func requireNotBlank(e *core.RecordEvent) error {
	blank := blankFields(e.Record)
	err := e.Next()
	if len(blank) == 0 {
		return err
	}
	var errs validation.Errors
	switch {
	case errors.As(err, &errs):
		for name, fieldErr := range blank {
			if _, ok := errs[name]; !ok {
				errs[name] = fieldErr
			}
		}
		return errs
	case err != nil:
		return err
	}
	return blank
}

func blankFields(record *core.Record) validation.Errors {
	errs := validation.Errors{}
	for _, f := range record.Collection().Fields {
		var required bool
		switch field := f.(type) {
		case *core.TextField:
			required = field.Required
		case *core.EditorField:
			required = field.Required
		}
		name := f.GetName()
		v := record.GetString(name)
		if required && v != "" && strings.TrimSpace(v) == "" && fieldChanged(record, name) {
			errs[name] = validation.ErrRequired
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
