package wire

import (
	"strconv"
	"strings"
)

// AcceptsGzip reports whether an Accept-Encoding header lets an answer be
// gzip-compressed (RFC 9110, 12.5.3): gzip (or x-gzip) listed with a
// weight above 0, or else * with one. "gzip;q=0" refuses gzip, also
// beside "*". A weight that does not parse counts as 1, as an absent one.
// The header is read in place, entry by entry: a long one allocates
// nothing.
func AcceptsGzip(header string) bool {
	star := false
	for rest := header; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(entry, ";")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			return weight(params) > 0
		case name == "*":
			star = weight(params) > 0
		}
	}
	return star
}

// weight is the q parameter among an entry's parameters, 1 when absent or
// unreadable.
func weight(params string) float64 {
	for rest := params; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, ";")
		key, value, ok := strings.Cut(strings.TrimSpace(param), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || q != q { // NaN
			return 1
		}
		return q
	}
	return 1
}
