package photos_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The samples are photos/strip's committed fuzz seeds: a real 64x48 JPEG
// with an Exif APP1 (camera make, GPS IFD), XMP, IPTC, a comment, a JFIF
// thumbnail and a trailer; and a PNG with eXIf, text and time chunks.
const sampleW, sampleH = 64, 48

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("strip", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// leaks lists the planted metadata found in b (see photos/strip's
// samples_test.go for where each is planted).
func leaks(b []byte) []string {
	planted := map[string][]byte{
		"Exif header": []byte("Exif\x00\x00"), "TIFF header": []byte("MM\x00\x2a"), "camera make": []byte("AmanTestCam"),
		"GPS latitude": {0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0x09, 0x98, 0, 0, 0, 100},
		"XMP":          []byte("xmpmeta"), "text": []byte("Author: Aman Volunteer 17"), "JFIF thumbnail": {0xAA, 0xBB, 0xCC},
	}
	var found []string
	for name, p := range planted {
		if bytes.Contains(b, p) {
			found = append(found, name)
		}
	}
	return found
}

func TestSamplesCarryMetadata(t *testing.T) {
	for _, name := range []string{"meta.jpg", "meta.png"} {
		if found := leaks(sample(t, name)); len(found) < 5 {
			t.Fatalf("%s carries only %v: the upload tests would prove nothing", name, found)
		}
	}
}
