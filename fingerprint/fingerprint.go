// Package fingerprint computes TLS client fingerprints from a parsed
// ClientHello: JA3 (Salesforce, 2017) and JA4 (FoxIO's JA4, the TLS client
// method only; the rest of the JA4+ suite is licensed differently and is
// not implemented here).
//
// Both functions return the fingerprint together with the text it was
// hashed from, so a reader can see exactly which values went in:
//
//	raw, hash := fingerprint.JA3(ch) // "771,4865-4866-…,0-23-…,29-23-24,0", its MD5
//	fp, raw := fingerprint.JA4(ch, 't') // "t13d1516h2_8daaf6152771_e5627efa2ab1", JA4_r
//
// The input is a *wire.ClientHello as returned by wire.ParseClientHello,
// whose Extensions field keeps the extension types in the order received,
// GREASE included; that order is what both methods read. A ClientHello
// built by hand with a nil Extensions field is fingerprinted as its Marshal
// method would put it on the wire.
//
// The package depends on nothing but the wire codec, so that tls can
// fingerprint the hellos its server receives (ConnectionState.JA3, JA4)
// without importing anything built on top of it.
//
// GREASE values (RFC 8701) are ignored wherever they appear, as both
// specifications require. MD5 and SHA-256 serve here only to shorten
// strings into identifiers, not for security. Neither function panics, on
// any input.
package fingerprint

import (
	"lucid/internal/wire"
)

// onTheWire returns the ClientHello whose extension list the fingerprints
// should read. A parsed ClientHello already records the extensions it
// carried. One built by hand may leave Extensions nil, meaning "whatever
// Marshal writes"; for that case the message is marshalled and parsed back
// so that the fingerprint describes what would actually be sent. If that
// round trip fails (for example, no cipher suites), ch is used as it is.
func onTheWire(ch *wire.ClientHello) *wire.ClientHello {
	if ch.Extensions != nil {
		return ch
	}
	msg := ch.Marshal()
	if len(msg) < wire.HeaderLen {
		return ch
	}
	parsed, err := wire.ParseClientHello(msg[wire.HeaderLen:])
	if err != nil {
		return ch
	}
	return parsed
}

// appendWithoutGREASE appends the values of list that are not RFC 8701
// GREASE to dst, so that callers can filter into room on their stack.
func appendWithoutGREASE(dst, list []uint16) []uint16 {
	for _, v := range list {
		if !wire.IsGREASE(v) {
			dst = append(dst, v)
		}
	}
	return dst
}
