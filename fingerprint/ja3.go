package fingerprint

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"

	"lucid/internal/wire"
)

// JA3 returns the JA3 string of a ClientHello and the lowercase hex MD5 of
// that string, which is the JA3 fingerprint proper.
//
// The string is five comma-separated fields, each a '-'-joined list of
// decimal values in the order the client sent them:
//
//	SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
//
// SSLVersion is legacy_version (the ClientHello's own version field, not
// the record layer's and not supported_versions); EllipticCurves is the
// supported_groups list. GREASE values are left out of every list. A field
// with nothing in it is empty, so a ClientHello without extensions gives
// "769,4-5-10,,,". For a nil ch both results are empty.
func JA3(ch *wire.ClientHello) (raw, hash string) {
	if ch == nil {
		return "", ""
	}
	ch = onTheWire(ch)

	var b strings.Builder
	b.WriteString(strconv.Itoa(int(ch.LegacyVersion)))
	b.WriteByte(',')
	writeDecimals(&b, withoutGREASE(ch.CipherSuites))
	b.WriteByte(',')
	writeDecimals(&b, withoutGREASE(ch.Extensions))
	b.WriteByte(',')
	writeDecimals(&b, withoutGREASE(ch.SupportedGroups))
	b.WriteByte(',')
	// Point formats are single bytes, a space GREASE does not reach.
	for i, f := range ch.ECPointFormats {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(int(f)))
	}

	raw = b.String()
	sum := md5.Sum([]byte(raw))
	return raw, hex.EncodeToString(sum[:])
}

// writeDecimals writes list as '-'-separated decimal numbers.
func writeDecimals(b *strings.Builder, list []uint16) {
	for i, v := range list {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(int(v)))
	}
}
