package bench

import (
	"testing"
)

// noCompression is s with Lucid's certificate compression off at both ends.
func noCompression(s Setup) Setup {
	s.NoCertCompression = true
	return s
}

// BenchmarkHandshakeBytes reports the bytes on the wire of one TLS 1.3
// full handshake, each way, for an ECDSA P-256 and an RSA-2048 server
// chain: Lucid with its default certificate compression (zstd), Lucid
// with it off, and crypto/tls, which has none:
//
//	go test -run '^$' -bench HandshakeBytes ./bench
//
// It fails unless compression made the server's bytes fewer.
func BenchmarkHandshakeBytes(b *testing.B) {
	for _, chain := range wireChains {
		b.Run(chain.ID, func(b *testing.B) {
			var on, off, std WireBytes
			b.Run("lucid-compressed", HandshakeBytes(Lucid, chain.Setup, &on))
			b.Run("lucid-uncompressed", HandshakeBytes(Lucid, noCompression(chain.Setup), &off))
			b.Run("crypto-tls", HandshakeBytes(Std, chain.Setup, &std))
			// A -bench pattern that selects only some of the runs
			// leaves the others at zero: nothing to compare then.
			if on.Server > 0 && off.Server > 0 && on.Server >= off.Server {
				b.Fatalf("%s: server sent %.0f bytes per handshake with certificate compression, %.0f without", chain.ID, on.Server, off.Server)
			}
		})
	}
}

// TestHandshakeBytes makes one handshake of each kind the benchmark
// measures and checks that compression shrinks what the server sends,
// below crypto/tls's too, and leaves the client's bytes alone but for the
// compress_certificate extension it offers.
func TestHandshakeBytes(t *testing.T) {
	tr, err := newTransport()
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	measure := func(st Stack, s Setup) WireBytes {
		t.Helper()
		p, err := newPair(st, s)
		if err != nil {
			t.Fatal(err)
		}
		w, err := handshakeBytes(tr, p, s)
		if err != nil {
			t.Fatalf("%v: %v", st, err)
		}
		return w
	}
	for _, chain := range wireChains {
		on := measure(Lucid, chain.Setup)
		off := measure(Lucid, noCompression(chain.Setup))
		std := measure(Std, chain.Setup)
		t.Logf("%s: server bytes %v compressed, %v uncompressed, %v crypto/tls; client bytes %v, %v, %v",
			chain.ID, on.Server, off.Server, std.Server, on.Client, off.Client, std.Client)
		if on.Server >= off.Server {
			t.Errorf("%s: server sent %v bytes with certificate compression, %v without", chain.ID, on.Server, off.Server)
		}
		if on.Server >= std.Server {
			t.Errorf("%s: server sent %v bytes with certificate compression, crypto/tls's %v", chain.ID, on.Server, std.Server)
		}
		// compress_certificate with three algorithms is 4 bytes of
		// header and 7 of list.
		if want := off.Client + 11; on.Client != want {
			t.Errorf("%s: client sent %v bytes offering compression, %v without (want %v)", chain.ID, on.Client, off.Client, want)
		}
	}
}
