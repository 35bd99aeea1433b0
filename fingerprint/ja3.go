package fingerprint

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"

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

	b := make([]byte, 0, 16+6*(len(ch.CipherSuites)+len(ch.Extensions)+len(ch.SupportedGroups))+4*len(ch.ECPointFormats))
	b = strconv.AppendUint(b, uint64(ch.LegacyVersion), 10)
	b = append(b, ',')
	b = appendDecimals(b, ch.CipherSuites)
	b = append(b, ',')
	b = appendDecimals(b, ch.Extensions)
	b = append(b, ',')
	b = appendDecimals(b, ch.SupportedGroups)
	b = append(b, ',')
	// Point formats are single bytes, a space GREASE does not reach.
	for i, f := range ch.ECPointFormats {
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(f), 10)
	}

	sum := md5.Sum(b)
	return string(b), hex.EncodeToString(sum[:])
}

// appendDecimals appends the values of list that are not GREASE, as
// '-'-separated decimal numbers.
func appendDecimals(b []byte, list []uint16) []byte {
	first := true
	for _, v := range list {
		if wire.IsGREASE(v) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}
