package bench

import (
	"io"
	"os"
	"strings"
	"testing"

	"lucid/tls"
)

// BenchmarkFigures runs every figure of cmd/compare's table for both
// stacks, plus its primitive floor:
//
//	go test -run '^$' -bench Figures ./bench
//
// cmd/compare runs the same benchmarks alternating the stacks in rounds,
// which is what the README's table comes from. The ChaCha20 figure needs
// GODEBUG=cpu.aes=off for crypto/tls to negotiate it (see Figure.NoAES).
func BenchmarkFigures(b *testing.B) {
	for _, f := range Figures {
		b.Run(f.ID, func(b *testing.B) {
			for _, st := range Stacks {
				b.Run(st.String(), func(b *testing.B) {
					if f.NoAES && st == Std && !strings.Contains(os.Getenv("GODEBUG"), "cpu.aes=off") {
						b.Skip("crypto/tls offers ChaCha20-Poly1305 first only without AES hardware: run with GODEBUG=cpu.aes=off")
					}
					f.Bench(st)(b)
				})
			}
			b.Run("floor", f.Floor())
		})
	}
}

// BenchmarkTransport is the control: a loopback TCP connection with no TLS,
// what every handshake figure's operation also includes.
func BenchmarkTransport(b *testing.B) { Transport()(b) }

// BenchmarkIdleMemory reports the heap and stack each idle established
// connection holds, both ends counted (-benchtime 1x is enough: the figure
// is a memory measurement over 2,000 connections, not a timing).
func BenchmarkIdleMemory(b *testing.B) {
	for _, st := range Stacks {
		b.Run(st.String(), func(b *testing.B) {
			var r IdleResult
			for range b.N {
				var err error
				if r, err = IdleMemory(st, IdleSetup, 2000); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(r.Heap, "heap-B/conn")
			b.ReportMetric(r.Stack, "stack-B/conn")
		})
	}
}

// BenchmarkObserver measures what an Observer costs on the record path:
// "off" must stay at zero allocations, which is the promise that events
// are free when nobody listens.
func BenchmarkObserver(b *testing.B) {
	p, err := certs()
	if err != nil {
		b.Fatal(err)
	}
	for _, on := range []bool{false, true} {
		name := "off"
		var observer func(tls.Event)
		if on {
			name, observer = "on", func(tls.Event) {}
		}
		b.Run(name, func(b *testing.B) {
			t, err := newTransport()
			if err != nil {
				b.Fatal(err)
			}
			defer t.close()
			c, sv, err := t.dial()
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			defer sv.Close()
			client := tls.Client(c, &tls.Config{RootCAs: p.roots, ServerName: "localhost", Observer: observer})
			server := tls.Server(sv, &tls.Config{Certificates: []tls.Certificate{p.lucid[p.ecdsa]}})
			go io.Copy(io.Discard, server)
			if err := client.Handshake(); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 16384)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
