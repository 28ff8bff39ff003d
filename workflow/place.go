package workflow

import (
	"github.com/pocketbase/pocketbase/core"
)

// Fields of a report or an aid request that place it.
const (
	fieldRegion   = "region"
	fieldDistrict = "district"
)

// DistrictsCollection is the reference list of districts and cities.
const DistrictsCollection = "districts"

// checkDistrict refuses a district or city outside the record's region (a
// report in Sughd placed in Batken district): the public reads both in
// public_incidents, and coordinators, who may not change content, cannot
// correct them. It runs when either changes, so a stored mismatch does not
// block reviewing the record.
func checkDistrict(app core.App, record *core.Record) error {
	district := record.GetString(fieldDistrict)
	if district == "" || (!fieldChanged(record, fieldDistrict) && !fieldChanged(record, fieldRegion)) {
		return nil
	}
	d, err := app.FindRecordById(DistrictsCollection, district)
	if err != nil {
		return nil // the relation field reports a missing record
	}
	if d.GetString(fieldRegion) != record.GetString(fieldRegion) {
		return errDistrictOutsideRegion()
	}
	return nil
}
