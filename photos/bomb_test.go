package photos_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"runtime"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// grayPNG is a w×h 8-bit grayscale PNG of one colour: a few hundred
// kilobytes on disk for hundreds of megabytes of pixels.
func grayPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(typ)
		out.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 0 // 8 bits, grayscale
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, w+1) // filter 0, then black pixels
	for range h {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// TestUpload_DecompressionBomb: a photo that is small on disk but huge in
// pixels is refused on upload. PocketBase decodes a stored photo whole to
// make its thumbnails (the dashboard asks for 100x100 on every list), so a
// 15000×15000 PNG of 220 KB would cost a quarter of a gigabyte at every
// thumbnail size; 10 MB of PNG unpacks to gigabytes.
func TestUpload_DecompressionBomb(t *testing.T) {
	const newID = "bombreport00001"
	bomb := grayPNG(t, 15000, 15000)
	body, contentType := multipartBody(t, newReportFields(newID), upload{"photos", "bomb.png", "image/png", bomb})
	scenario := fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
		Name:   fmt.Sprintf("a %d-byte PNG of 15000x15000 pixels", len(bomb)),
		Method: http.MethodPost, URL: reportsURL, Body: body,
		Headers:         map[string]string{"Content-Type": contentType, "Accept-Language": "ru"},
		ExpectedStatus:  400,
		ExpectedContent: []string{`"photos":{"code":"photos_too_many_pixels"`, "15000×15000 пикселей"},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			if _, err := app.FindRecordById("incident_reports", newID); err == nil {
				t.Errorf("thumbnail of the stored photo allocated %d MB", thumbAlloc(t, app, newID)>>20)
			}
		},
	})
	scenario.Test(t)
}

// thumbAlloc is what the first 100x100 thumbnail of the report's photo
// allocates.
func thumbAlloc(t testing.TB, app *tests.TestApp, reportID string) uint64 {
	report, err := app.FindRecordById("incident_reports", reportID)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := fixtures.Auth(app, fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	res := serve(t, app, http.MethodPost, "/api/files/token", auth)
	var token struct{ Token string }
	if err := json.Unmarshal(res.Body.Bytes(), &token); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	url := fmt.Sprintf("/api/files/incident_reports/%s/%s?thumb=100x100&token=%s", reportID, report.GetStringSlice("photos")[0], token.Token)
	res = serve(t, app, http.MethodGet, url, "")
	runtime.ReadMemStats(&after)
	t.Logf("thumb: %d, %d bytes, Content-Type %s", res.Code, res.Body.Len(), res.Header().Get("Content-Type"))
	return after.TotalAlloc - before.TotalAlloc
}
