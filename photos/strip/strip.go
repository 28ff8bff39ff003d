// Package strip removes metadata from JPEG, PNG and WebP images without
// re-encoding them: only metadata containers are dropped, every byte of
// image data is copied. It has no dependencies beyond the standard library,
// so its parsers can be fuzzed fast.
package strip

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
)

// Sentinel errors of Image and the format strippers.
var (
	// ErrUnsupported means the content is not a JPEG, PNG or WebP image.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrCorrupt means the content claims a supported format but does not
	// parse as one.
	ErrCorrupt = errors.New("corrupt image")
)

// MIME types Image accepts.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// Image sniffs data's type from its content (never from a name) and returns
// the image without metadata, with its MIME type. The pixels are not
// re-encoded: only metadata containers are dropped. It returns ErrUnsupported
// for anything but JPEG, PNG and WebP, and ErrCorrupt (wrapped) when the
// structure does not parse.
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
	default:
		return nil, contentType, ErrUnsupported
	}
	return out, contentType, err
}

// checkConfig makes sure the stripped image header decodes to a non-empty
// image, so that a file that only looks like an image is refused.
func checkConfig(decode func(r io.Reader) (image.Config, error), data []byte) error {
	cfg, err := decode(bytes.NewReader(data))
	if err != nil {
		return errors.Join(ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return ErrCorrupt
	}
	return nil
}
