package locale

// APIMessages exposes the catalog of PocketBase's top-level messages to the
// external tests.
var APIMessages = apiMessages
