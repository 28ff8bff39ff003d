package strip_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"aman/photos/strip"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed files in testdata/")

// seedFiles are the fuzz seeds in testdata/, written by TestSeeds -update.
var seedFiles = map[string]func(testing.TB) []byte{
	"meta.jpg":  jpegWithMetadata,
	"meta.png":  pngWithMetadata,
	"meta.webp": webpWithMetadata,
}

// TestSeeds keeps the committed seeds equal to what the builders make.
func TestSeeds(t *testing.T) {
	for name, build := range seedFiles {
		path := filepath.Join("testdata", name)
		want := build(t)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./photos/strip -run TestSeeds -update)", err)
		}
		if name != "meta.jpg" && !bytes.Equal(got, want) {
			// image/jpeg output may change between Go releases; the
			// others are byte-stable.
			t.Errorf("%s is stale (run go test ./photos/strip -run TestSeeds -update)", path)
		}
	}
}

func addSeeds(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkStripped is the fuzz property shared by the formats: no panic (the
// fuzzer checks that), a successful result is not larger than the input
// plus an EOI, and stripping it again changes nothing.
func checkStripped(t *testing.T, fn func([]byte) ([]byte, error), in []byte) {
	out, err := fn(in)
	if err != nil {
		return
	}
	if len(out) > len(in)+2 {
		t.Fatalf("output %d bytes from %d", len(out), len(in))
	}
	again, err := fn(out)
	if err != nil {
		t.Fatalf("stripped output does not parse: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("not idempotent")
	}
}

func FuzzStripJPEG(f *testing.F) {
	addSeeds(f, "meta.jpg")
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD0, 0xFF, 0xD9})
	f.Add(jpegWithExif(f, exifLE(6, 0)))
	f.Fuzz(func(t *testing.T, in []byte) { checkStripped(t, strip.JPEG, in) })
}

func FuzzStripPNG(f *testing.F) {
	addSeeds(f, "meta.png")
	f.Fuzz(func(t *testing.T, in []byte) { checkStripped(t, strip.PNG, in) })
}

func FuzzStripWebP(f *testing.F) {
	addSeeds(f, "meta.webp", "gopher.webp")
	f.Fuzz(func(t *testing.T, in []byte) { checkStripped(t, strip.WebP, in) })
}

// FuzzImage runs the sniffing entry point over every seed.
func FuzzImage(f *testing.F) {
	addSeeds(f, "meta.jpg", "meta.png", "meta.webp", "gopher.webp")
	f.Fuzz(func(t *testing.T, in []byte) {
		out, _, err := strip.Image(in)
		if err == nil && len(out) == 0 {
			t.Fatalf("empty output without error")
		}
	})
}
