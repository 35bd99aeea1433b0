package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"lucid/internal/version"
	"lucid/internal/wire"
)

// JA4 returns the JA4 fingerprint of a ClientHello, such as
// "t13d1516h2_8daaf6152771_e5627efa2ab1", and its raw form ("JA4_r"), in
// which the two hashed parts appear as the lists they were hashed from:
//
//	t13d1516h2_002f,0035,…,cca9_0005,000a,…,ff01_0403,0804,…,0601
//
// transport is 't' for TLS over TCP or 'q' for QUIC; for any other value,
// or a nil ch, both results are empty.
//
// The fingerprint has three parts joined by '_' (JA4.md, "JA4 Algorithm"):
//
//   - a: the transport; the version as two characters ("13", "12", "11",
//     "10", "s3", "s2", "d1", "d2", "d3", or "00" if unknown), taken from
//     the highest non-GREASE supported_versions value, else legacy_version;
//     'd' if a server_name extension is present, else 'i'; the number of
//     cipher suites and of extensions, two digits each, GREASE not counted,
//     at most 99; and two characters for the first ALPN value (see below),
//     "00" if there is none.
//   - b: the first 12 hex digits of the SHA-256 of the cipher suites as
//     4-digit lowercase hex, sorted, comma-separated; "000000000000" if
//     there are none.
//   - c: the same for the extensions, sorted, without server_name (0000)
//     and ALPN (0010) since part a already reflects them, followed by '_'
//     and the signature_algorithms values in the order sent; with no
//     signature algorithms the underscore is left out too. "000000000000"
//     if the sorted extension list is empty.
//
// The ALPN characters are the first and last byte of the first protocol
// name when both are ASCII letters or digits (so "h2" gives "h2" and
// "http/1.1" gives "h1", letters keeping their case); otherwise they are the
// first and last digits of the name written in lowercase hex (0x20 0x61
// gives "21"). A one-byte name supplies both characters.
//
// GREASE values are ignored everywhere; counts include SCSVs and every
// other non-GREASE value.
func JA4(ch *wire.ClientHello, transport byte) (fp, raw string) {
	if ch == nil || (transport != 't' && transport != 'q') {
		return "", ""
	}
	ch = onTheWire(ch)

	// Room for a browser's lists on the stack; longer ones spill.
	var cipherRoom, extRoom [64]uint16
	ciphers := appendWithoutGREASE(cipherRoom[:0], ch.CipherSuites)
	exts := appendWithoutGREASE(extRoom[:0], ch.Extensions)

	// Part a.
	a := make([]byte, 0, 10)
	a = append(a, transport)
	a = append(a, ja4Version(ch)...)
	if slices.Contains(exts, wire.ExtServerName) {
		a = append(a, 'd')
	} else {
		a = append(a, 'i')
	}
	a = appendCount(a, len(ciphers))
	a = appendCount(a, len(exts))
	a = append(a, ja4ALPN(ch.ALPN)...)

	// Part b: cipher suites, sorted. The raw form is built in one buffer,
	// part by part, and the hashes read their parts from it.
	slices.Sort(ciphers)
	raw0 := make([]byte, 0, len(a)+2+5*(len(ciphers)+len(exts)+len(ch.SignatureSchemes)))
	raw0 = append(append(raw0, a...), '_')
	bStart := len(raw0)
	raw0 = appendHexList(raw0, ciphers)
	bEnd := len(raw0)

	// Part c: extensions, sorted, less the two part a already shows, then
	// the signature algorithms as sent.
	hashed := slices.DeleteFunc(exts, func(t uint16) bool {
		return t == wire.ExtServerName || t == wire.ExtALPN
	})
	slices.Sort(hashed)
	raw0 = append(raw0, '_')
	cStart := len(raw0)
	raw0 = appendHexList(raw0, hashed)
	var sigRoom [64]uint16
	if sigs := appendWithoutGREASE(sigRoom[:0], ch.SignatureSchemes); len(sigs) > 0 {
		raw0 = appendHexList(append(raw0, '_'), sigs)
	}

	fpb := make([]byte, 0, len(a)+2+2*hashDigits)
	fpb = append(append(fpb, a...), '_')
	fpb = appendHash12(fpb, raw0[bStart:bEnd])
	fpb = append(fpb, '_')
	if len(hashed) == 0 {
		// JA4.md: "If there are no extensions in the sorted extensions
		// list, then the value of JA4_c is set to 000000000000", signature
		// algorithms or not.
		fpb = append(fpb, noValues...)
	} else {
		fpb = appendHash12(fpb, raw0[cStart:])
	}
	return string(fpb), string(raw0)
}

// noValues stands in for a hash of an empty list, so that "nothing there"
// is plain to see (JA4.md, "Cipher hash" and "Extension hash").
const noValues = "000000000000"

// ja4Version returns the two-character version code of JA4.md's table.
func ja4Version(ch *wire.ClientHello) string {
	v := ch.LegacyVersion
	// supported_versions, when present, overrides legacy_version; its
	// highest value counts, GREASE aside. An extension listing only GREASE
	// names no version, so legacy_version stands.
	highest, found := uint16(0), false
	for _, sv := range ch.SupportedVersions {
		if !wire.IsGREASE(sv) {
			highest, found = max(highest, sv), true
		}
	}
	if found {
		v = highest
	}
	switch v {
	case version.TLS13:
		return "13"
	case version.TLS12:
		return "12"
	case version.TLS11:
		return "11"
	case version.TLS10:
		return "10"
	case version.SSL30:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// appendCount appends n as two decimal digits, capped at 99.
func appendCount(a []byte, n int) []byte {
	n = min(n, 99)
	return append(a, byte('0'+n/10), byte('0'+n%10))
}

// ja4ALPN returns the two ALPN characters of part a.
func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	first, last := alpn[0][0], alpn[0][len(alpn[0])-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	// The first hex digit of the whole value is the high nibble of its
	// first byte; the last is the low nibble of its last byte.
	const digits = "0123456789abcdef"
	return string([]byte{digits[first>>4], digits[last&0x0f]})
}

// isAlnum reports whether c is an ASCII digit or letter (0x30-0x39,
// 0x41-0x5A, 0x61-0x7A).
func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// appendHexList appends list as comma-separated 4-digit lowercase hex.
func appendHexList(dst []byte, list []uint16) []byte {
	const digits = "0123456789abcdef"
	for i, v := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return dst
}

// hashDigits is how many hex digits of a hash JA4 keeps.
const hashDigits = 12

// appendHash12 appends the first 12 lowercase hex digits of SHA-256(list),
// or noValues for an empty list.
func appendHash12(dst, list []byte) []byte {
	if len(list) == 0 {
		return append(dst, noValues...)
	}
	sum := sha256.Sum256(list)
	return hex.AppendEncode(dst, sum[:hashDigits/2])
}
