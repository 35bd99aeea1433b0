package rfc8448

import "encoding/hex"

// Bytes decodes one of this package's hex strings. They are all valid hex,
// which this package's tests check, so anything else is a mistake in the
// calling test and panics.
func Bytes(h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic("rfc8448: not a hex string: " + err.Error())
	}
	return b
}
