// Package strip removes metadata from JPEG, PNG and WebP images without
// re-encoding them: only metadata containers are dropped, every byte of
// image data is copied. It has no dependencies beyond the standard library,
// so its parsers can be fuzzed fast.
package strip

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"golang.org/x/image/webp"
)

// Sentinel errors of Image and the format strippers.
var (
	// ErrUnsupported means the content is not a JPEG, PNG or WebP image.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrCorrupt means the content claims a supported format but does not
	// parse as one.
	ErrCorrupt = errors.New("corrupt image")
)

// MaxPixels is the most pixels an image may have: 50 megapixels, the full
// resolution of a 50 MP phone camera (8160×6120). PocketBase decodes a
// stored photo whole to make its thumbnails, and a few hundred kilobytes
// of PNG or WebP of one colour can hold billions of pixels.
const MaxPixels = 50_000_000

// TooManyPixelsError is Image's error for an image of more than MaxPixels.
type TooManyPixelsError struct{ Width, Height int }

func (e *TooManyPixelsError) Error() string {
	return fmt.Sprintf("image of %dx%d pixels, over %d", e.Width, e.Height, MaxPixels)
}

// MIME types Image accepts.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// Image sniffs data's type from its content (never from a name) and returns
// the image without metadata, with its MIME type. The pixels are not
// re-encoded: only metadata containers are dropped. It returns ErrUnsupported
// for anything but JPEG, PNG and WebP, ErrCorrupt (wrapped) when the
// structure does not parse, and a *TooManyPixelsError for an image of more
// than MaxPixels.
func Image(data []byte) ([]byte, string, error) {
	contentType := http.DetectContentType(data)
	var (
		out []byte
		err error
	)
	switch contentType {
	case TypeJPEG:
		out, err = JPEG(data)
		if err == nil {
			err = checkConfig(jpeg.DecodeConfig, out)
		}
	case TypePNG:
		out, err = PNG(data)
		if err == nil {
			err = checkConfig(png.DecodeConfig, out)
		}
	case TypeWebP:
		out, err = WebP(data)
		if err == nil {
			err = checkConfig(webp.DecodeConfig, out)
		}
	default:
		return nil, contentType, ErrUnsupported
	}
	return out, contentType, err
}

// checkConfig makes sure the stripped image header decodes to a non-empty
// image, so that a file that only looks like an image is refused, of at
// most MaxPixels.
func checkConfig(decode func(r io.Reader) (image.Config, error), data []byte) error {
	cfg, err := decode(bytes.NewReader(data))
	if err != nil {
		return errors.Join(ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return ErrCorrupt
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return &TooManyPixelsError{Width: cfg.Width, Height: cfg.Height}
	}
	return nil
}
