package strip

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngKeep lists the chunks that survive: the critical ones and the
// ancillary ones that change how pixels render (colour, transparency,
// animation). Everything else goes, named metadata first: eXIf, tEXt, zTXt,
// iTXt, tIME, and unknown private chunks, which could carry anything.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true, "sBIT": true,
	"bKGD": true, "pHYs": true, "hIST": true, "cICP": true, "mDCV": true, "cLLI": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// pngChunkHeader is length (4) + type (4); a CRC (4) follows the data.
const pngChunkHeader = 8

// PNG returns data with only the chunks in pngKeep, up to IEND
// (trailing bytes go). Kept chunks are copied unchanged, CRC included. An
// unknown critical chunk is refused: without it the image may not decode.
func PNG(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, fmt.Errorf("png: no signature: %w", ErrCorrupt)
	}
	out := make([]byte, 0, len(data))
	out = append(out, pngSignature...)
	for p := len(pngSignature); ; {
		chunkType, end, err := readPNGChunk(data, p)
		if err != nil {
			return nil, err
		}
		if p == len(pngSignature) && chunkType != "IHDR" {
			return nil, fmt.Errorf("png: first chunk %q: %w", chunkType, ErrCorrupt)
		}
		switch {
		case pngKeep[chunkType]:
			out = append(out, data[p:end]...)
		case isCriticalPNGChunk(chunkType):
			return nil, fmt.Errorf("png: unknown critical chunk %q: %w", chunkType, ErrCorrupt)
		}
		if chunkType == "IEND" {
			return out, nil
		}
		p = end
	}
}

// readPNGChunk returns the type of the chunk at data[p] and its end offset.
func readPNGChunk(data []byte, p int) (string, int, error) {
	if p+pngChunkHeader+4 > len(data) {
		return "", 0, fmt.Errorf("png: truncated chunk at %d: %w", p, ErrCorrupt)
	}
	// len(data)-p-12 >= 0 here, so the unsigned comparison is exact.
	n := binary.BigEndian.Uint32(data[p:])
	if n > 1<<31-1 || uint64(n) > uint64(len(data)-p-pngChunkHeader-4) {
		return "", 0, fmt.Errorf("png: chunk length %d at %d: %w", n, p, ErrCorrupt)
	}
	chunkType := data[p+4 : p+8]
	for _, c := range chunkType {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", 0, fmt.Errorf("png: chunk type %q: %w", chunkType, ErrCorrupt)
		}
	}
	return string(chunkType), p + pngChunkHeader + int(n) + 4, nil
}

// isCriticalPNGChunk: bit 5 of the first type byte clear (upper case).
func isCriticalPNGChunk(chunkType string) bool {
	return chunkType[0]&0x20 == 0
}
