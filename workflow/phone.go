package workflow

import (
	"strings"
)

// fieldContactPhone is how an aid request's beneficiary is reached.
const fieldContactPhone = "contact_phone"

// Digits a phone number holds: a short local number has 5, E.164 allows 15
// (Tajikistan +992 and Kyrgyzstan +996 numbers have 12 with the country
// code, 9 without).
const (
	minPhoneDigits = 5
	maxPhoneDigits = 15
)

// checkPhone refuses a contact phone a coordinator could not call: "+",
// spaces or dashes alone passed the field's pattern, and a wrong character
// got PocketBase's bare "Invalid value format". It allows what the pattern
// does (digits, +, (, ), -, spaces) with 5 to 15 digits, and is judged when
// the field changes, so a stored number does not block a review.
func checkPhone(value string, changed bool) error {
	if value == "" || !changed {
		return nil
	}
	digits := 0
	for _, r := range value {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+()- ", r):
		default:
			return errPhoneInvalid()
		}
	}
	if digits < minPhoneDigits || digits > maxPhoneDigits {
		return errPhoneInvalid()
	}
	return nil
}
