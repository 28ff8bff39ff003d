package changelog

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Dependent names records whose visible fields depend on another record:
// the records of Collection whose relation field Link names a record of
// the base collection are shown differently when one of the base record's
// Fields changes. An aid request's related_incident is hidden from
// coordinators while the report it names is anonymous
// (privacy.LinkHidden): a report made anonymous after the coordinators'
// phones pulled its aid requests left them holding requester and link,
// which name the reporter, since nothing wrote the aid requests again.
//
// A write that changes one of Fields logs each dependent record again, in
// the same transaction: a change that names no field and no actor (the
// actor would be the writer of the base record: a reporter who made their
// report anonymous would be named beside the requests that link it). The
// next pull of every device then re-sends the dependent records as their
// readers may see them now; their history shows a row without fields.
type Dependent struct {
	Fields     []string
	Collection string
	Link       string
}

func (d Dependent) changedBy(diff map[string]FieldChange) bool {
	for _, f := range d.Fields {
		if _, ok := diff[f]; ok {
			return true
		}
	}
	return false
}

// appendDependents logs again the dependents of the record id whose write
// changed diff.
func appendDependents(tx core.App, deps []Dependent, id string, diff map[string]FieldChange) error {
	for _, d := range deps {
		if !d.changedBy(diff) {
			continue
		}
		var ids []string
		err := tx.DB().Select("id").From(d.Collection).
			Where(dbx.HashExp{d.Link: id}).OrderBy("id").Column(&ids)
		if err != nil {
			return fmt.Errorf("find %s linking %s: %w", d.Collection, id, err)
		}
		for _, dep := range ids {
			if _, err := appendChange(tx, entry{collection: d.Collection, recordID: dep}); err != nil {
				return err
			}
		}
	}
	return nil
}
