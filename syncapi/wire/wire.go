// Package wire decodes what sync clients send: the push body, its
// mutations and the pull checkpoint. It is pure (standard library only) so
// that its fuzz targets run fast; package syncapi does the I/O, the
// authorization and the writes.
package wire
