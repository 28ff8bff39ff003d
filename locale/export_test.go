package locale

import "github.com/nicksnyder/go-i18n/v2/i18n"

// APIMessages exposes the catalog of PocketBase's top-level messages to the
// external tests.
var APIMessages = apiMessages

// APIPrefixes lists the prefixes and suffixes of PocketBase's
// runtime-built messages.
func APIPrefixes() [][2]string {
	out := make([][2]string, len(apiPrefixMessages))
	for i, m := range apiPrefixMessages {
		out[i] = [2]string{m.Prefix, m.Suffix}
	}
	return out
}

// ETagMatches exposes the If-None-Match comparison to the external tests.
var ETagMatches = etagMatches

// CatalogIDs lists the ids of every message of the project's Go catalogs
// (what goi18n extract finds), but the review screen's.
func CatalogIDs() []string {
	var ids []string
	for _, list := range [][]*i18n.Message{mailMessages, countMessages, contentMessages, projectErrorMessages,
		labelMessages, validationMessages, apiMessages} {
		for _, m := range list {
			ids = append(ids, m.ID)
		}
	}
	for _, m := range apiPrefixMessages {
		ids = append(ids, m.ID)
	}
	return ids
}
