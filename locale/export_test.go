package locale

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
