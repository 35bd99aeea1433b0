package handshake

import "lucid/internal/wire"

// helloPrint is what a server keeps of the ClientHello it answered (the
// outer one under ECH, as the wire carried it): the fields JA3 and JA4
// read, all in one array, so that a held connection carries a few hundred
// bytes for its fingerprints instead of a whole hello, and the
// fingerprints are worked out only when someone asks for them. Empty when
// there was no hello (a client).
//
// The array starts with a header of printHeader values: the lengths of
// the lists, legacy_version, the flags and the length in bytes of the
// first ALPN protocol (the only one JA4 reads); then that protocol, two
// bytes to a value; then the lists one after another: cipher suites,
// extension types, supported groups, signature schemes, supported
// versions and EC point formats.
type helloPrint []uint16

// The lists a helloPrint keeps, in their order.
const (
	printSuites = iota
	printExtensions
	printGroups
	printSchemes
	printVersions
	printPoints
	printLists
)

// Header values after the lists' lengths, and the flags.
const (
	printLegacyAt = printLists
	printFlagsAt  = printLists + 1
	printALPNAt   = printLists + 2
	printHeader   = printLists + 3

	// printNoExtensions says the hello had no extensions block, which
	// fingerprints treat apart from an empty one.
	printNoExtensions = 1 << 0
	// printEarlyData says the hello carried early_data.
	printEarlyData = 1 << 1
)

// printOf keeps what fingerprints read of ch.
func printOf(ch *wire.ClientHello) helloPrint {
	var alpn string
	if len(ch.ALPN) > 0 {
		alpn = ch.ALPN[0]
	}
	u16 := [...][]uint16{ch.CipherSuites, ch.Extensions, ch.SupportedGroups, ch.SignatureSchemes, ch.SupportedVersions}
	n := printHeader + (len(alpn)+1)/2 + len(ch.ECPointFormats)
	for _, l := range u16 {
		n += len(l)
	}
	p := make(helloPrint, printHeader, n)
	for i, l := range u16 {
		p[i] = uint16(len(l))
	}
	p[printPoints] = uint16(len(ch.ECPointFormats))
	p[printLegacyAt] = ch.LegacyVersion
	if ch.Extensions == nil {
		p[printFlagsAt] |= printNoExtensions
	}
	if ch.EarlyData {
		p[printFlagsAt] |= printEarlyData
	}
	p[printALPNAt] = uint16(len(alpn))
	for i := 0; i < len(alpn); i += 2 {
		v := uint16(alpn[i]) << 8
		if i+1 < len(alpn) {
			v |= uint16(alpn[i+1])
		}
		p = append(p, v)
	}
	for _, l := range u16 {
		p = append(p, l...)
	}
	for _, f := range ch.ECPointFormats {
		p = append(p, uint16(f))
	}
	return p
}

// earlyData reports whether the hello carried early_data.
func (p helloPrint) earlyData() bool {
	return len(p) > 0 && p[printFlagsAt]&printEarlyData != 0
}

// hello rebuilds the ClientHello fields p kept; nil if there was no
// hello. Its lists of code points are p's own memory, capped so that an
// append cannot reach past them: the caller reads them and never changes
// them.
func (p helloPrint) hello() *wire.ClientHello {
	if len(p) < printHeader {
		return nil
	}
	at := printHeader
	alpn := make([]byte, 0, p[printALPNAt]+1)
	for len(alpn) < int(p[printALPNAt]) {
		alpn = append(alpn, byte(p[at]>>8), byte(p[at]))
		at++
	}
	alpn = alpn[:p[printALPNAt]]
	var part [printLists][]uint16
	for i := range part {
		n := int(p[i])
		if n > 0 {
			part[i] = p[at : at+n : at+n]
		}
		at += n
	}
	h := &wire.ClientHello{
		LegacyVersion:     p[printLegacyAt],
		CipherSuites:      part[printSuites],
		Extensions:        part[printExtensions],
		SupportedGroups:   part[printGroups],
		SignatureSchemes:  part[printSchemes],
		SupportedVersions: part[printVersions],
		EarlyData:         p.earlyData(),
	}
	if p[printFlagsAt]&printNoExtensions != 0 {
		h.Extensions = nil
	} else if h.Extensions == nil {
		h.Extensions = []uint16{}
	}
	for _, f := range part[printPoints] {
		h.ECPointFormats = append(h.ECPointFormats, uint8(f))
	}
	if len(alpn) > 0 {
		h.ALPN = []string{string(alpn)}
	}
	return h
}

// ClientHello returns, on a server, the fields of the ClientHello it
// answered that fingerprints read (JA3, JA4): legacy_version, the cipher
// suites, extension types in the order sent, supported groups, signature
// schemes, supported versions, EC point formats and the first ALPN
// protocol. With ECH it is the outer hello, as the wire carried it. It is
// built on each call, its lists sharing the result's memory: read them,
// never change them. nil on a client.
func (r *Result) ClientHello() *wire.ClientHello { return r.hello.hello() }

// ClientHelloEarlyData reports whether the ClientHello the server answered
// (the outer one under ECH) carried early_data.
func (r *Result) ClientHelloEarlyData() bool { return r.hello.earlyData() }
