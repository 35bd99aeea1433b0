package handshake

import "lucid/internal/wire"

// helloPrint is what a server keeps of the ClientHello it answered (the
// outer one under ECH, as the wire carried it): the fields JA3 and JA4
// read, their lists in one array, so that a held connection carries a
// few hundred bytes for its fingerprints instead of a whole hello, and
// the fingerprints are worked out only when someone asks for them.
type helloPrint struct {
	// lists holds, one after another, the cipher suites, extension
	// types, supported groups, signature schemes, supported versions and
	// EC point formats, each of lens's length.
	lists  []uint16
	lens   [printLists]uint16
	legacy uint16
	// set says there is a hello; noExtensions that it had no extensions
	// block, which fingerprints treat apart from an empty one.
	set, noExtensions bool
	// earlyData says the hello carried early_data.
	earlyData bool
	// alpn is the first protocol offered, the only one JA4 reads.
	alpn string
}

// The lists a helloPrint keeps, in their order in its array.
const (
	printSuites = iota
	printExtensions
	printGroups
	printSchemes
	printVersions
	printPoints
	printLists
)

// printOf keeps what fingerprints read of ch.
func printOf(ch *wire.ClientHello) helloPrint {
	p := helloPrint{set: true, legacy: ch.LegacyVersion, noExtensions: ch.Extensions == nil, earlyData: ch.EarlyData}
	if len(ch.ALPN) > 0 {
		p.alpn = ch.ALPN[0]
	}
	u16 := [...][]uint16{ch.CipherSuites, ch.Extensions, ch.SupportedGroups, ch.SignatureSchemes, ch.SupportedVersions}
	n := len(ch.ECPointFormats)
	for _, l := range u16 {
		n += len(l)
	}
	p.lists = make([]uint16, 0, n)
	for i, l := range u16 {
		p.lists = append(p.lists, l...)
		p.lens[i] = uint16(len(l))
	}
	for _, f := range ch.ECPointFormats {
		p.lists = append(p.lists, uint16(f))
	}
	p.lens[printPoints] = uint16(len(ch.ECPointFormats))
	return p
}

// hello rebuilds, in new memory, the ClientHello fields p kept; nil if
// there was no hello.
func (p *helloPrint) hello() *wire.ClientHello {
	if !p.set {
		return nil
	}
	var part [printLists][]uint16
	at := 0
	for i, n := range p.lens {
		part[i] = append([]uint16(nil), p.lists[at:at+int(n)]...)
		at += int(n)
	}
	h := &wire.ClientHello{
		LegacyVersion:     p.legacy,
		CipherSuites:      part[printSuites],
		Extensions:        part[printExtensions],
		SupportedGroups:   part[printGroups],
		SignatureSchemes:  part[printSchemes],
		SupportedVersions: part[printVersions],
		EarlyData:         p.earlyData,
	}
	if p.noExtensions {
		h.Extensions = nil
	} else if h.Extensions == nil {
		h.Extensions = []uint16{}
	}
	for _, f := range part[printPoints] {
		h.ECPointFormats = append(h.ECPointFormats, uint8(f))
	}
	if p.alpn != "" {
		h.ALPN = []string{p.alpn}
	}
	return h
}

// ClientHello returns, on a server, the fields of the ClientHello it
// answered that fingerprints read (JA3, JA4): legacy_version, the cipher
// suites, extension types in the order sent, supported groups, signature
// schemes, supported versions, EC point formats and the first ALPN
// protocol. With ECH it is the outer hello, as the wire carried it. It is
// built anew on each call; nil on a client.
func (r *Result) ClientHello() *wire.ClientHello { return r.hello.hello() }

// ClientHelloEarlyData reports whether the ClientHello the server answered
// (the outer one under ECH) carried early_data.
func (r *Result) ClientHelloEarlyData() bool { return r.hello.earlyData }
