package photos

import (
	"bufio"
	"errors"
	"image"
	"net/http"
	"slices"
	"time"

	// The formats PocketBase makes thumbnails of, so that DecodeConfig
	// reads every header its decoder would (imaging registers them too).
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"aman/locale"
	"aman/photos/strip"
	"aman/security"
)

// filePattern is PocketBase's file download route (apis/file.go).
const filePattern = "GET /api/files/{collection}/{recordId}/{filename}"

// defaultThumbSizes are the sizes PocketBase makes for any file field
// (apis/file.go's defaultThumbSizes), besides the field's own Thumbs.
var defaultThumbSizes = []string{"100x100"}

// Keys on the request event between thumbGuard and thumbServe.
const (
	thumbReleaseKey = "aman.photos.thumbRelease"
	thumbRefuseKey  = "aman.photos.thumbRefuse"
)

// thumbGuard runs before PocketBase's download handler, which makes a
// missing thumbnail by decoding the stored original whole, before any hook
// of its own runs. It reads the original's header only, and:
//
//   - for an original of more than strip.MaxPixels (stored before the limit
//     existed, or imported), takes the thumb parameter away and remembers
//     the refusal: PocketBase then checks access as for any download, and
//     thumbServe answers 422 photos_thumb_too_many_pixels instead of the
//     original. So a caller who may not see the file gets PocketBase's 404
//     and learns nothing of its size.
//   - otherwise takes width×height pixels from the decode budget before the
//     thumbnail is made, or answers 503 photos_busy (Retry-After) when no
//     place comes within decodeWait. thumbServe gives them back once the
//     thumbnail exists, before it is sent, so a slow reader holds none.
//
// A thumbnail already stored, a size the field does not offer, or a file
// that is not a readable image goes on as PocketBase would have it: none of
// them is decoded.
func thumbGuard(budget *weightBudget) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "amanPhotosThumbGuard",
		Func: func(e *core.RequestEvent) error {
			if e.Request.Pattern != filePattern {
				return e.Next()
			}
			size := e.Request.URL.Query().Get("thumb")
			if size == "" {
				return e.Next()
			}
			t, ok := findThumb(e, size)
			if !ok {
				return e.Next()
			}
			fsys, err := e.App.NewFilesystem()
			if err != nil {
				return e.Next()
			}
			cfg, ok := thumbNeeded(fsys, t)
			if !ok {
				fsys.Close()
				return e.Next()
			}
			pixels := int64(cfg.Width) * int64(cfg.Height)
			if pixels > strip.MaxPixels {
				fsys.Close()
				q := e.Request.URL.Query()
				q.Del("thumb")
				e.Request.URL.RawQuery = q.Encode()
				e.Set(thumbRefuseKey, errThumbTooManyPixels(e, cfg.Width, cfg.Height))
				return e.Next()
			}
			release, err := budget.acquire(e.Request.Context(), pixels)
			if err != nil {
				fsys.Close()
				if errors.Is(err, errBudgetTimeout) {
					return errBusy(e, budget.wait)
				}
				return err // the client is gone
			}
			defer release()
			// Another request may have made it while this one waited.
			if exists, _ := fsys.Exists(t.path); exists {
				release()
			}
			fsys.Close()
			e.Set(thumbReleaseKey, release)
			return e.Next()
		},
	}
}

// thumbServe runs when PocketBase is about to send the file: after its
// access check and after it made the thumbnail.
func thumbServe(e *core.FileDownloadRequestEvent) error {
	// The event embeds a store of its own: the request's is e.RequestEvent's.
	if release, ok := e.RequestEvent.Get(thumbReleaseKey).(func()); ok {
		release()
	}
	if refuse, ok := e.RequestEvent.Get(thumbRefuseKey).(error); ok {
		return refuse
	}
	return e.Next()
}

// thumb is a thumbnail PocketBase would make for a request.
type thumb struct{ original, path string }

// findThumb resolves the request as PocketBase's download handler does. It
// reports false when PocketBase would not make a thumbnail (no such record,
// file or size): its handler then answers as it always does.
func findThumb(e *core.RequestEvent, size string) (thumb, bool) {
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return thumb{}, false
	}
	record, err := e.App.FindRecordById(collection, e.Request.PathValue("recordId"))
	if err != nil {
		return thumb{}, false
	}
	filename := e.Request.PathValue("filename")
	field := record.FindFileFieldByFile(filename)
	if field == nil || !(slices.Contains(defaultThumbSizes, size) || slices.Contains(field.Thumbs, size)) {
		return thumb{}, false
	}
	base := record.BaseFilesPath()
	if collection.IsView() {
		source, err := e.App.FindRecordByViewFile(collection.Id, field.Name, filename)
		if err != nil {
			return thumb{}, false
		}
		base = source.BaseFilesPath()
	}
	return thumb{
		original: base + "/" + filename,
		path:     base + "/thumbs_" + filename + "/" + size + "_" + filename,
	}, true
}

// thumbNeeded reads the header of t's original when its thumbnail is not
// stored yet. It reports false when there is nothing to decode: the
// thumbnail exists, or the original is missing or not an image whose header
// reads (the decoder would stop at the same place).
func thumbNeeded(fsys *filesystem.System, t thumb) (image.Config, bool) {
	if exists, _ := fsys.Exists(t.path); exists {
		return image.Config{}, false
	}
	r, err := fsys.GetReader(t.original)
	if err != nil {
		return image.Config{}, false
	}
	defer r.Close()
	cfg, _, err := image.DecodeConfig(bufio.NewReader(r))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return image.Config{}, false
	}
	return cfg, true
}

func errThumbTooManyPixels(e *core.RequestEvent, width, height int) *router.ApiError {
	params := map[string]any{"width": width, "height": height}
	lang := locale.FromRequest(e)
	return router.NewApiError(http.StatusUnprocessableEntity, locale.T(lang, CodeThumbTooManyPixels, params), validation.Errors{
		"thumb": validation.NewError(CodeThumbTooManyPixels,
			"This photo is {{.width}}×{{.height}} pixels, over 50 megapixels: it has no thumbnail. Download the original.").
			SetParams(params),
	})
}

func errBusy(e *core.RequestEvent, retry time.Duration) *router.ApiError {
	security.SetRetryAfter(e.Response.Header(), retry)
	return router.NewApiError(http.StatusServiceUnavailable, "The server is busy making other thumbnails. Try again shortly.", validation.Errors{
		"thumb": validation.NewError(CodeBusy, "The server is busy making other thumbnails. Try again shortly."),
	})
}
