package strip

import (
	"bytes"
	"encoding/binary"
)

// Exif constants for reading and writing the Orientation tag.
const (
	exifHeader         = "Exif\x00\x00"
	tiffIFDEntryLen    = 12
	tagOrientation     = 0x0112
	typeShort          = 3
	orientationDefault = 1
	orientationMax     = 8
)

// exifOrientation returns the Orientation (2-8) in IFD0 of an APP1 Exif
// payload, or 0 when there is none, it is the default (1) or the TIFF does
// not parse. Phones store photos as the sensor saw them and record the
// rotation here; dropping it would show portraits lying on their side.
func exifOrientation(payload []byte) uint16 {
	tiff, ok := bytes.CutPrefix(payload, []byte(exifHeader))
	if !ok || len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := uint64(order.Uint32(tiff[4:8]))
	if ifd+2 > uint64(len(tiff)) {
		return 0
	}
	count := uint64(order.Uint16(tiff[ifd:]))
	for i := range count {
		at := ifd + 2 + i*tiffIFDEntryLen
		if at+tiffIFDEntryLen > uint64(len(tiff)) {
			return 0
		}
		entry := tiff[at : at+tiffIFDEntryLen]
		if order.Uint16(entry) != tagOrientation {
			continue
		}
		value := order.Uint16(entry[8:])
		if order.Uint16(entry[2:]) != typeShort || order.Uint32(entry[4:]) != 1 ||
			value <= orientationDefault || value > orientationMax {
			return 0
		}
		return value
	}
	return 0
}

// orientationOnlyExif is an APP1 Exif payload holding nothing but the
// Orientation tag: a big-endian TIFF with one IFD of one entry.
func orientationOnlyExif(orientation uint16) []byte {
	b := []byte(exifHeader + "MM\x00\x2a")
	b = binary.BigEndian.AppendUint32(b, 8) // IFD0 right after the header
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, tagOrientation)
	b = binary.BigEndian.AppendUint16(b, typeShort)
	b = binary.BigEndian.AppendUint32(b, 1)
	b = binary.BigEndian.AppendUint16(b, orientation)
	b = append(b, 0, 0)                        // the rest of the 4-byte value field
	return binary.BigEndian.AppendUint32(b, 0) // no next IFD
}
