package locale

// APIMessages exposes the catalog of PocketBase's top-level messages to the
// external tests.
var APIMessages = apiMessages

// APIPrefixes lists the prefixes of PocketBase's runtime-built messages.
func APIPrefixes() []string {
	out := make([]string, len(apiPrefixMessages))
	for i, m := range apiPrefixMessages {
		out[i] = m.Prefix
	}
	return out
}
