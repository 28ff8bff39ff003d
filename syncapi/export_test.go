package syncapi

import "time"

// SetPageWriteTimeout makes a pull page's write deadline floor plus its
// size at rate bytes a second (see pageWriteTimeout), until the returned
// func restores it. Call it before any request runs.
func SetPageWriteTimeout(floor time.Duration, rate int64) (restore func()) {
	oldFloor, oldRate := pageWriteFloor, pageWriteRate
	pageWriteFloor, pageWriteRate = floor, rate
	return func() { pageWriteFloor, pageWriteRate = oldFloor, oldRate }
}
