package handshake_test

import (
	crand "crypto/rand"
	"fmt"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// heavyHello returns a TLS 1.3 ClientHello of about size bytes built to
// be as expensive as the RFCs allow: a third of its extensions' room goes to
// key shares, each for a group the server does not support and listed near
// the end of a supported_groups list that fills the rest. When real is
// set, an X25519 share comes last, so the handshake can complete.
func heavyHello(t testing.TB, size int, real bool) []byte {
	t.Helper()
	ch := clientHelloFrom(t, clientConfig())
	ch.ServerName = ""
	// Share entries cost 5 bytes (group, length, one byte of key) and
	// groups 2; the extensions block holds at most 65535 bytes.
	room := min(size, 0xffff) - 600
	shares := room / 3 / 5
	groups := (room - shares*5) / 2
	ch.KeyShares = nil
	ch.SupportedGroups = nil
	for i := range groups - shares {
		ch.SupportedGroups = append(ch.SupportedGroups, uint16(0x8000+i))
	}
	for i := range shares {
		g := uint16(0x2000 + i)
		ch.SupportedGroups = append(ch.SupportedGroups, g)
		ch.KeyShares = append(ch.KeyShares, wire.KeyShare{Group: g, Data: []byte{1}})
	}
	if real {
		p, err := kex.Generate(kex.X25519, crand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ch.SupportedGroups = append(ch.SupportedGroups, kex.X25519)
		ch.KeyShares = append(ch.KeyShares, wire.KeyShare{Group: kex.X25519, Data: p.Share()})
	}
	return mustMarshal(t, ch.Marshal())
}

// BenchmarkServerHeavyHello is the server's cost for one worst-case
// ClientHello, by size: "nogroup" stops where the server finds no group in
// common, which isolates parsing and negotiation; "full" goes on to the
// server's whole first flight. Both should grow linearly with size: the
// MB/s figure stays flat from 2 KiB to 64 KiB, where the quadratic check
// this guards against (every key share searched for in supported_groups)
// made a 64 KiB hello cost a hundred times more per byte. Speed is a
// benchmark's to show, not a test's to time.
func BenchmarkServerHeavyHello(b *testing.B) {
	scfg := serverConfig(b, testpki.ECDSAP256)
	for _, real := range []bool{false, true} {
		for _, size := range []int{2 << 10, 8 << 10, 32 << 10, 64 << 10} {
			msg := heavyHello(b, size, real)
			name := fmt.Sprintf("nogroup/%dKiB", size>>10)
			if real {
				name = fmt.Sprintf("full/%dKiB", size>>10)
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					_, err := handshake.NewServer(scfg).Handle(msg)
					if real && err != nil {
						b.Fatal(err)
					}
					if !real && alert.Of(err) != alert.HandshakeFailure {
						b.Fatalf("got %v, want handshake_failure", err)
					}
				}
			})
		}
	}
}
