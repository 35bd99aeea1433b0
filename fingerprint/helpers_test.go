package fingerprint_test

import (
	"testing"

	"lucid/internal/wire"
)

// This file builds ClientHello bodies byte by byte, without lucid's wire
// builder, so the tests control exactly what is on the wire: GREASE values,
// extension order, odd ALPN bytes.

// ext is one extension: its type and its extension_data.
type ext struct {
	typ  uint16
	body []byte
}

// be16 returns v big-endian.
func be16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

// prefixed returns data behind a big-endian length of n bytes.
func prefixed(n int, data []byte) []byte {
	out := make([]byte, 0, n+len(data))
	for i := n - 1; i >= 0; i-- {
		out = append(out, byte(len(data)>>(8*i)))
	}
	return append(out, data...)
}

// u16s returns vals big-endian, concatenated.
func u16s(vals ...uint16) []byte {
	var out []byte
	for _, v := range vals {
		out = append(out, be16(v)...)
	}
	return out
}

// list16 is a list of 16-bit values behind a 2-byte length (cipher_suites,
// supported_groups, signature_algorithms).
func list16(vals ...uint16) []byte { return prefixed(2, u16s(vals...)) }

// list8of16 is a list of 16-bit values behind a 1-byte length
// (supported_versions).
func list8of16(vals ...uint16) []byte { return prefixed(1, u16s(vals...)) }

// sniBody is a server_name extension naming host.
func sniBody(host string) []byte {
	entry := append([]byte{0}, prefixed(2, []byte(host))...)
	return prefixed(2, entry)
}

// alpnBody is an ALPN extension listing names.
func alpnBody(names ...string) []byte {
	var list []byte
	for _, n := range names {
		list = append(list, prefixed(1, []byte(n))...)
	}
	return prefixed(2, list)
}

// helloBody returns a ClientHello body (no handshake header). A nil exts
// leaves the extensions block out altogether, as a TLS 1.0 client may.
func helloBody(version uint16, ciphers []uint16, exts []ext) []byte {
	b := be16(version)
	for i := range 32 {
		b = append(b, byte(0xa0+i))
	}
	b = append(b, prefixed(1, []byte{1, 2, 3, 4})...) // legacy_session_id
	b = append(b, list16(ciphers...)...)
	b = append(b, 1, 0) // compression_methods: null
	if exts != nil {
		var block []byte
		for _, e := range exts {
			block = append(block, be16(e.typ)...)
			block = append(block, prefixed(2, e.body)...)
		}
		b = append(b, prefixed(2, block)...)
	}
	return b
}

// parse parses body with wire, failing the test if it does not parse.
func parse(t testing.TB, body []byte) *wire.ClientHello {
	t.Helper()
	ch, err := wire.ParseClientHello(body)
	if err != nil {
		t.Fatalf("wire.ParseClientHello: %v", err)
	}
	return ch
}

// specCiphers are the cipher suites of the JA4.md example, in its order.
var specCiphers = []uint16{
	0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
	0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
}

// specSigAlgs are the signature algorithms of the JA4.md example.
var specSigAlgs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}

// specHello is a Chrome-like ClientHello carrying exactly the values of the
// JA4.md example (ciphers 1301,…,0035; extensions 001b,0000,0033,…,0015 in
// that order; signature algorithms 0403,…,0601; ALPN h2; TLS 1.3), with
// GREASE added where Chrome puts it: first cipher suite, first and
// second-to-last extension, and inside supported_versions, supported_groups
// and key_share. sigAlgs replaces the signature_algorithms list.
func specHello(sigAlgs ...uint16) []byte {
	x25519 := make([]byte, 32)
	keyShares := append(u16s(0x2a2a), prefixed(2, []byte{0})...)
	keyShares = append(keyShares, be16(0x001d)...)
	keyShares = append(keyShares, prefixed(2, x25519)...)
	exts := []ext{
		{0x0a0a, nil}, // GREASE
		{0x001b, []byte{2, 0, 2}},
		{0x0000, sniBody("example.com")},
		{0x0033, prefixed(2, keyShares)},
		{0x0010, alpnBody("h2", "http/1.1")},
		{0x4469, alpnBody("h2")},
		{0x0017, nil},
		{0x002d, []byte{1, 1}},
		{0x000d, list16(sigAlgs...)},
		{0x0005, []byte{1, 0, 0, 0, 0}},
		{0x0023, nil},
		{0x0012, nil},
		{0x002b, list8of16(0x6a6a, 0x0304, 0x0303)},
		{0xff01, []byte{0}},
		{0x000b, []byte{1, 0}},
		{0x000a, list16(0x2a2a, 0x001d, 0x0017, 0x0018)},
		{0x1a1a, []byte{0}}, // GREASE
		{0x0015, make([]byte, 17)},
	}
	return helloBody(0x0303, append([]uint16{0x3a3a}, specCiphers...), exts)
}
