package photos

import validation "github.com/pocketbase/ozzo-validation/v4"

// Error codes of rejected uploads (data.<field>.code in a 400 response).
// They are stable API: the locale files key translations on them.
const (
	CodeUnsupportedType = "photos_unsupported_type"
	CodeInvalidImage    = "photos_invalid_image"
	CodeTooLarge        = "photos_too_large"
	CodeTooManyPixels   = "photos_too_many_pixels"
)

// Error codes of thumbnail requests (data.thumb.code), stable API too.
const (
	// CodeThumbTooManyPixels (422): the original is over strip.MaxPixels
	// (stored before the limit existed), so no thumbnail is made of it.
	CodeThumbTooManyPixels = "photos_thumb_too_many_pixels"
	// CodeBusy (503, Retry-After): no place in the decode budget came in
	// time (DecodeBudgetPixels).
	CodeBusy = "photos_busy"
)

// CodeUploadsBusy (data.body.code; 503, Retry-After): no place in the
// upload budget came in time (uploads.go). Stable API too.
const CodeUploadsBusy = "photos_uploads_busy"

// CodeUploadsCallerBusy (data.body.code; 429, Retry-After): the caller's
// own uploads held its share of the upload budget (shares.go) for as long
// as it waited. Stable API too.
const CodeUploadsCallerBusy = "photos_uploads_caller_busy"

func errUnsupported(name, contentType string) validation.Error {
	return validation.NewError(CodeUnsupportedType, "{{.name}} is {{.type}}; only JPEG, PNG and WebP images are accepted.").
		SetParams(map[string]any{"name": name, "type": contentType})
}

func errInvalid(name, contentType string) validation.Error {
	return validation.NewError(CodeInvalidImage, "{{.name}} is not a readable {{.type}} image.").
		SetParams(map[string]any{"name": name, "type": contentType})
}

func errTooLarge(name string, maxSize int64) validation.Error {
	return validation.NewError(CodeTooLarge, "{{.name}} is larger than {{.maxSize}} bytes.").
		SetParams(map[string]any{"name": name, "maxSize": maxSize})
}

func errTooManyPixels(name string, width, height int) validation.Error {
	return validation.NewError(CodeTooManyPixels, "{{.name}} is {{.width}}×{{.height}} pixels; photos of up to 50 megapixels are accepted.").
		SetParams(map[string]any{"name": name, "width": width, "height": height})
}
