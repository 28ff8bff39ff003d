package strip_test

import (
	"bytes"
	"testing"

	"golang.org/x/image/webp"

	"aman/photos/strip"
)

// TestWebP_AnimationFrameKeepsOnlyImageChunks: an animated WebP's frames
// (ANMF) hold sub-chunks of their own; metadata or unknown chunks nested
// in a frame go like the top-level ones, and the frame's image stays.
func TestWebP_AnimationFrameKeepsOnlyImageChunks(t *testing.T) {
	plain := plainWebP(t)
	cfg, err := webp.DecodeConfig(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	image := plain[12:] // the VP8L chunk, as is
	// VP8X with the animation flag, then the canvas size
	vp8x := append([]byte{0x02, 0, 0, 0}, le24(cfg.Width-1)...)
	vp8x = append(vp8x, le24(cfg.Height-1)...)
	frame := append(le24(0), le24(0)...) // x, y
	frame = append(frame, le24(cfg.Width-1)...)
	frame = append(frame, le24(cfg.Height-1)...)
	frame = append(frame, le24(100)...) // duration
	frame = append(frame, 0)            // flags
	frame = append(frame, image...)
	frame = append(frame, riffChunk("XMP ", xmpPacket)...)
	frame = append(frame, riffChunk("priv", secretText)...)
	out, err := strip.WebP(riff(riffChunk("VP8X", vp8x), riffChunk("ANIM", make([]byte, 6)), riffChunk("ANMF", frame)))
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range [][]byte{xmpPacket, secretText, []byte("XMP "), []byte("priv")} {
		if bytes.Contains(out, gone) {
			t.Errorf("a frame kept %q", gone)
		}
	}
	if !bytes.Contains(out, image) || !bytes.Contains(out, []byte("ANMF")) {
		t.Error("the frame's image is gone")
	}
}
