// Package publictext finds in a text written for the public what must not
// be published: a phone number, an e-mail address, exact coordinates. It
// is pure (no PocketBase), so that its fuzz target runs fast; the workflow
// package decides which texts it judges and when.
package publictext

import (
	"regexp"
	"unicode"
)

// The things a public summary must not carry. A coordinator writes it from
// the reporter's description, which may hold a victim's phone number, a
// reporter's e-mail or a point read off a map, and pasting a sentence too
// many publishes them to everyone on both sides of the border.
const (
	Phone       = "phone"
	Email       = "email"
	Coordinates = "coordinates"
)

var (
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(\.[\p{L}\p{N}\-]+)+`)
	// a decimal degree with 4 or more decimals: about 10 m or finer (the
	// public map rounds to 2, about 1 km)
	coordinatePattern = regexp.MustCompile(`(^|[^\p{N}.,])-?\p{N}{1,3}[.,]\p{N}{4,}`)
	// dates and times, taken out before phone numbers are looked for:
	// 2022-09-14, 14.09.2022, 14/09/22, 14-09-2022, 16:30 (a day and a
	// month that can be one; dashes only around a 4-digit year, as phone
	// numbers are written with dashes)
	datePattern = regexp.MustCompile(`\b(\d{4}[-./](0?[1-9]|1[0-2])[-./](0?[1-9]|[12]\d|3[01])|` +
		`(0?[1-9]|[12]\d|3[01])[./](0?[1-9]|1[0-2])[./](\d{4}|\d{2})|` +
		`(0?[1-9]|[12]\d|3[01])-(0?[1-9]|1[0-2])-\d{4}|\d{1,2}:\d{2}(:\d{2})?)\b`)
	// a run of digits with the separators phone numbers are written with
	phoneRun = regexp.MustCompile(`\+?\(?\d[\d \-().\x{00A0}]*\d`)
	// an amount grouped in thousands (150 000 000), not a phone number
	thousands = regexp.MustCompile(`^[1-9]\d{0,2}([ .\x{00A0}]\d{3})+$`)
)

// Leak returns what in text must not be published (Phone, Email or
// Coordinates), or "". A phone number is 9 or more digits written together
// or with spaces, dashes, dots or parentheses between them (+992 92 777 12
// 34, 0555 123 456, (3422) 2-34-56; a card or passport number is refused
// alike), after dates and times are set aside; shorter numbers (counts,
// years, house numbers), amounts grouped in thousands (150 000 000) and
// numbers split by words or commas are not. Numbers are written in ASCII
// digits in every language of the project.
func Leak(text string) string {
	switch {
	case emailPattern.MatchString(text):
		return Email
	case coordinatePattern.MatchString(text):
		return Coordinates
	}
	text = datePattern.ReplaceAllString(text, "·")
	for _, run := range phoneRun.FindAllString(text, -1) {
		if n := digits(run); n >= 9 && !thousands.MatchString(run) {
			return Phone
		}
	}
	return ""
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
