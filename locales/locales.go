// Package locales embeds the go-i18n message files that the locale package
// loads at runtime. Only active.*.toml files ship in the binary; the
// translate.*.toml files are work files for translators (see
// docs/localization.md).
//
// The files live in this top-level directory, not inside locale/, because
// goi18n extract and merge write here and go:embed cannot reach a parent
// directory.
package locales

import "embed"

// FS holds active.<lang>.toml for every supported language.
//
//go:embed active.*.toml
var FS embed.FS
