// Package photos makes uploaded photos safe to store: every new file of a
// photo field must be a JPEG, PNG or WebP image by its content, and loses
// its metadata (Exif with GPS position, camera serial and time, XMP, IPTC,
// comments, text chunks, thumbnails) before it reaches the storage.
//
// The hook runs on the OnRecordCreate and OnRecordUpdate model hooks,
// before validation and before the file field uploads anything, so it holds
// for the REST API, /api/batch, the dashboard, the sync engine and Go code,
// including app.SaveNoValidate. The format parsers live in photos/strip.
//
// It also bounds what PocketBase's thumbnails cost (thumbs.go): a thumbnail
// decodes its original whole, so one of an original over strip.MaxPixels
// (stored before the limit existed, or imported) is refused by its header,
// and the others take their pixels from one budget for the whole server
// (DecodeBudgetPixels, budget.go). Uploads decode no pixels; what their
// bodies hold in memory comes from a budget of its own, taken before the
// body is read (uploads.go).
package photos

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"

	"aman/photos/strip"
)

// Fields lists, per collection, the file fields that hold photos. A user's
// avatar is a photo too: a selfie's GPS tag is where the volunteer lives.
var Fields = map[string][]string{
	"incident_reports": {"photos"},
	"users":            {"avatar"},
}

// defaultMaxSize is PocketBase's limit for a file field without MaxSize.
const defaultMaxSize = 5 << 20

// Register binds the upload sanitizer to app, and the bounds of thumbnail
// making: the header check of the original and the decode budget
// (thumbs.go, budget.go).
//
// It also binds the upload budget (uploads.go) and its callers' shares
// (shares.go), whose sizes are read from the environment: a value it
// cannot take is an error naming the variable.
func Register(app core.App) error {
	uploadBytes, err := UploadMemoryFromEnv()
	if err != nil {
		return err
	}
	percent, err := UploadCallerPercentFromEnv()
	if err != nil {
		return err
	}
	uploads := newWeightBudget(uploadBytes, uploadWait)
	app.Store().Set(uploadBudgetKey, uploads)
	shares := newCallerShares(uploadBytes, percent)
	app.Store().Set(sharesKey, shares)
	budget := newWeightBudget(DecodeBudgetPixels, decodeWait)
	app.Store().Set(budgetKey, budget)
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: "amanPhotosThumbs",
		Func: func(e *core.ServeEvent) error {
			e.Router.Bind(thumbGuard(budget))
			e.Router.Bind(uploadGuard(uploads, shares))
			return e.Next()
		},
	})
	app.OnFileDownloadRequest().Bind(&hook.Handler[*core.FileDownloadRequestEvent]{Id: "amanPhotosThumbServe", Func: thumbServe})
	collections := slices.Sorted(maps.Keys(Fields))
	// One handler per hook: a handler id is unique within a hook, whatever
	// the tags, so binding per collection under one id would replace.
	app.OnRecordCreate(collections...).Bind(&hook.Handler[*core.RecordEvent]{Id: "amanPhotosCreate", Func: sanitizeRecord})
	app.OnRecordUpdate(collections...).Bind(&hook.Handler[*core.RecordEvent]{Id: "amanPhotosUpdate", Func: sanitizeRecord})
	return nil
}

func sanitizeRecord(e *core.RecordEvent) error {
	errs := validation.Errors{}
	for _, name := range Fields[e.Record.Collection().Name] {
		maxSize := fieldMaxSize(e.Record.Collection(), name)
		for _, file := range e.Record.GetUnsavedFiles(name) {
			err := Sanitize(file, maxSize)
			var invalid validation.Error
			switch {
			case errors.As(err, &invalid):
				errs[name] = invalid
			case err != nil:
				return err
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}

func fieldMaxSize(collection *core.Collection, name string) int64 {
	if f, ok := collection.Fields.GetByName(name).(*core.FileField); ok && f.MaxSize > 0 {
		return f.MaxSize
	}
	return defaultMaxSize
}

// Sanitize replaces file's content with the stripped image and makes its
// extension match the sniffed type. It reads at most maxSize bytes. The
// error is a validation.Error with a stable code (see docs/workflow.md);
// file is unchanged when it fails.
func Sanitize(file *filesystem.File, maxSize int64) error {
	data, err := readAll(file, maxSize)
	if err != nil {
		return err
	}
	out, contentType, err := strip.Image(data)
	var tooMany *strip.TooManyPixelsError
	switch {
	case errors.As(err, &tooMany):
		return errTooManyPixels(file.OriginalName, tooMany.Width, tooMany.Height)
	case errors.Is(err, strip.ErrUnsupported):
		return errUnsupported(file.OriginalName, contentType)
	case err != nil:
		return errInvalid(file.OriginalName, contentType)
	}
	file.Reader = &filesystem.BytesReader{Bytes: out}
	file.Size = int64(len(out))
	file.Name = storedName(contentType)
	// PocketBase stores OriginalName beside the file (the .attrs side-car,
	// an S3 object's metadata), so it goes into every backup: it is the
	// uploaded name this hook does not keep.
	file.OriginalName = file.Name
	return nil
}

// storedName is a new random name with the extension of contentType. The
// uploaded name is metadata too, and is not kept: a phone names a photo by
// the moment it was taken (IMG_20261128_101533.jpg, the Exif time this
// package strips), a messenger by its sender, a person by whom it shows,
// and the stored name is what every reader of the record sees (a
// coordinator, an editor, on an anonymous report too).
func storedName(contentType string) string {
	return "photo_" + security.RandomStringWithAlphabet(12, storedNameAlphabet) + extensions[contentType][0]
}

const storedNameAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func readAll(file *filesystem.File, maxSize int64) ([]byte, error) {
	r, err := file.Reader.Open()
	if err != nil {
		return nil, fmt.Errorf("photos: open %q: %w", file.Name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("photos: read %q: %w", file.Name, err)
	}
	if int64(len(data)) > maxSize {
		return nil, errTooLarge(file.OriginalName, maxSize)
	}
	return data, nil
}

// extensions maps a type to its extensions, the first the one stored.
var extensions = map[string][]string{
	strip.TypeJPEG: {".jpg", ".jpeg"},
	strip.TypePNG:  {".png"},
	strip.TypeWebP: {".webp"},
}
