package strip

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// VP8X flags (first payload byte) that announce metadata chunks.
const (
	vp8xFlagEXIF = 0x08
	vp8xFlagXMP  = 0x04
	vp8xLen      = 10
	// anmfHeaderLen is the ANMF payload before the frame's own chunks.
	anmfHeaderLen = 16
)

// webpKeep lists the top-level chunks of an extended WebP that survive;
// EXIF, "XMP " and unknown chunks go.
var webpKeep = map[string]bool{
	"VP8X": true, "ICCP": true, "ANIM": true, "ANMF": true, "ALPH": true, "VP8 ": true, "VP8L": true,
}

// webpFrameKeep lists the chunks that survive inside an ANMF frame.
var webpFrameKeep = map[string]bool{"ALPH": true, "VP8 ": true, "VP8L": true}

type riffChunk struct {
	fourCC  string
	payload []byte
}

// WebP returns data without EXIF, XMP and unknown chunks, with the
// VP8X metadata flags cleared and the RIFF size recomputed. A simple
// (VP8/VP8L) file keeps only its image chunk. Bytes after the RIFF size go.
func WebP(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, fmt.Errorf("webp: no RIFF WEBP header: %w", ErrCorrupt)
	}
	size := binary.LittleEndian.Uint32(data[4:8])
	if size < 4 || uint64(size) > uint64(len(data)-8) {
		return nil, fmt.Errorf("webp: RIFF size %d of %d bytes: %w", size, len(data), ErrCorrupt)
	}
	chunks, err := readRIFFChunks(data[12 : 8+int(size)])
	if err != nil {
		return nil, err
	}
	kept, err := keepWebPChunks(chunks)
	if err != nil {
		return nil, err
	}
	return writeWebP(kept), nil
}

func keepWebPChunks(chunks []riffChunk) ([]riffChunk, error) {
	if len(chunks) == 0 {
		return nil, fmt.Errorf("webp: no chunks: %w", ErrCorrupt)
	}
	switch first := chunks[0]; first.fourCC {
	case "VP8 ", "VP8L":
		return chunks[:1], nil
	case "VP8X":
		return keepExtended(chunks)
	default:
		return nil, fmt.Errorf("webp: first chunk %q: %w", first.fourCC, ErrCorrupt)
	}
}

func keepExtended(chunks []riffChunk) ([]riffChunk, error) {
	if len(chunks[0].payload) < vp8xLen {
		return nil, fmt.Errorf("webp: short VP8X: %w", ErrCorrupt)
	}
	header := bytes.Clone(chunks[0].payload)
	header[0] &^= vp8xFlagEXIF | vp8xFlagXMP
	kept := []riffChunk{{"VP8X", header}}
	for _, c := range chunks[1:] {
		if !webpKeep[c.fourCC] || c.fourCC == "VP8X" {
			continue
		}
		if c.fourCC == "ANMF" {
			frame, err := stripFrame(c.payload)
			if err != nil {
				return nil, err
			}
			c.payload = frame
		}
		kept = append(kept, c)
	}
	return kept, nil
}

// stripFrame keeps an animation frame's header and image chunks only.
func stripFrame(payload []byte) ([]byte, error) {
	if len(payload) < anmfHeaderLen {
		return nil, fmt.Errorf("webp: short ANMF: %w", ErrCorrupt)
	}
	chunks, err := readRIFFChunks(payload[anmfHeaderLen:])
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(payload[:anmfHeaderLen])
	for _, c := range chunks {
		if webpFrameKeep[c.fourCC] {
			out = appendRIFFChunk(out, c)
		}
	}
	return out, nil
}

// readRIFFChunks splits data into chunks: FourCC, little-endian size,
// payload, and a pad byte when the size is odd (a missing final pad byte
// is tolerated, as decoders do).
func readRIFFChunks(data []byte) ([]riffChunk, error) {
	var chunks []riffChunk
	for p := 0; p < len(data); {
		if p+8 > len(data) {
			return nil, fmt.Errorf("webp: truncated chunk header at %d: %w", p, ErrCorrupt)
		}
		n := binary.LittleEndian.Uint32(data[p+4:])
		if uint64(n) > uint64(len(data)-p-8) {
			return nil, fmt.Errorf("webp: chunk size %d at %d: %w", n, p, ErrCorrupt)
		}
		end := p + 8 + int(n)
		chunks = append(chunks, riffChunk{string(data[p : p+4]), data[p+8 : end]})
		p = end + int(n&1)
	}
	return chunks, nil
}

func writeWebP(chunks []riffChunk) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = appendRIFFChunk(body, c)
	}
	out := make([]byte, 0, 8+len(body))
	out = append(out, "RIFF"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

func appendRIFFChunk(out []byte, c riffChunk) []byte {
	out = append(out, c.fourCC...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(c.payload)))
	out = append(out, c.payload...)
	if len(c.payload)%2 == 1 {
		out = append(out, 0)
	}
	return out
}
