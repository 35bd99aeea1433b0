package handshake_test

import (
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// handshakeEngines runs one handshake between fresh engines, passing whole
// messages with no record layer: the engines' own cost, for benchmarks.
func handshakeEngines(b *testing.B, ccfg, scfg *handshake.Config) {
	c, s := handshake.NewClient(ccfg), handshake.NewServer(scfg)
	type item struct {
		to  *handshake.Engine
		msg []byte // nil: a TLS 1.2 change_cipher_spec
	}
	var queue []item
	push := func(from *handshake.Engine, acts []handshake.Action) {
		to := s
		if from == s {
			to = c
		}
		for _, a := range acts {
			switch a.Kind {
			case handshake.SendHandshake:
				for rest := a.Data; len(rest) > 0; {
					_, n, _ := wire.Header(rest)
					queue = append(queue, item{to, rest[:wire.HeaderLen+n]})
					rest = rest[wire.HeaderLen+n:]
				}
			case handshake.SendChangeCipherSpec:
				if from.Version() == version.TLS12 {
					queue = append(queue, item{to: to})
				}
			}
		}
	}
	acts, err := c.Start()
	if err != nil {
		b.Fatal(err)
	}
	push(c, acts)
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.to.Done() {
			continue // a TLS 1.3 ticket, read after the handshake
		}
		if it.msg == nil {
			acts, err = it.to.ChangeCipherSpec()
		} else {
			acts, err = it.to.Handle(it.msg)
		}
		if err != nil {
			b.Fatal(err)
		}
		push(it.to, acts)
	}
	if !c.Done() || !s.Done() {
		b.Fatal("handshake did not complete")
	}
}

// BenchmarkEngines measures a full handshake through both engines, which
// includes following the shape table and, in TLS 1.2, expanding the key
// block on each side.
func BenchmarkEngines(b *testing.B) {
	b.Run("tls13-full", func(b *testing.B) {
		ccfg, scfg := clientConfig(), serverConfig(b, testpki.ECDSAP256)
		b.ReportAllocs()
		for b.Loop() {
			handshakeEngines(b, ccfg, scfg)
		}
	})
	b.Run("tls12-ecdhe", func(b *testing.B) {
		clk := newClock()
		ccfg, scfg := client12(clk), server12(b, testpki.ECDSAP256, clk)
		b.ReportAllocs()
		for b.Loop() {
			handshakeEngines(b, ccfg, scfg)
		}
	})
}
