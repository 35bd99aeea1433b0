package conn_test

import (
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// With the rewrite hook set, every handshake message a Core sends passes
// through it, in order, and leaves in a record of its own.
func TestRewriteHandshakeSeesEveryMessage(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := configs(t, tc.v)
			var seen [2][]uint8
			var records [2]int
			side := func(i int) (func([]byte) [][]byte, func(conn.Event)) {
				return func(m []byte) [][]byte {
						seen[i] = append(seen[i], m[0])
						return [][]byte{m}
					}, func(e conn.Event) {
						if e.Kind == conn.RecordSent && e.ContentType == record.TypeHandshake {
							records[i]++
						}
					}
			}
			crw, cobs := side(0)
			srw, sobs := side(1)
			p := &pair{t: t,
				client: conn.New(conn.Config{Client: true, Engine: ccfg, RewriteHandshake: crw, Observe: cobs}),
				server: conn.New(conn.Config{Engine: scfg, RewriteHandshake: srw, Observe: sobs}),
			}
			if err := p.client.Start(); err != nil {
				t.Fatal(err)
			}
			p.mustRun()
			if !p.client.HandshakeDone() || !p.server.HandshakeDone() {
				t.Fatal("handshake did not complete")
			}
			wantClient := []uint8{wire.TypeClientHello, wire.TypeFinished}
			wantServer := []uint8{wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeCertificate, wire.TypeCertificateVerify, wire.TypeFinished}
			if tc.v == version.TLS12 {
				wantClient = []uint8{wire.TypeClientHello, wire.TypeClientKeyExchange, wire.TypeFinished}
				wantServer = []uint8{wire.TypeServerHello, wire.TypeCertificate, wire.TypeServerKeyExchange, wire.TypeServerHelloDone, wire.TypeFinished}
			}
			for i, want := range [][]uint8{wantClient, wantServer} {
				if string(seen[i]) != string(want) {
					t.Errorf("side %d: the hook saw %v, want %v", i, seen[i], want)
				}
				if records[i] != len(want) {
					t.Errorf("side %d: %d handshake records for %d messages", i, records[i], len(want))
				}
			}
			// KeyUpdate, which the Core writes itself, passes through too.
			if tc.v == version.TLS13 {
				if err := p.client.UpdateKeys(false); err != nil {
					t.Fatal(err)
				}
				if last := seen[0][len(seen[0])-1]; last != wire.TypeKeyUpdate {
					t.Errorf("the hook did not see the KeyUpdate, last saw %d", last)
				}
			}
		})
	}
}

// What the hook returns is what the peer reads, while the sender's
// transcript keeps what its engine wrote: the peers' keys then disagree.
func TestRewriteHandshakeReachesThePeer(t *testing.T) {
	ccfg, scfg := configs(t, version.TLS13)
	var got *wire.ClientHello
	scfg.Observe = func(e handshake.Event) {
		if ch, ok := e.Message.(*wire.ClientHello); ok && e.Kind == handshake.MessageReceived {
			got = ch
		}
	}
	var sentRandom [32]byte
	rewrite := func(m []byte) [][]byte {
		if m[0] != wire.TypeClientHello {
			return [][]byte{m}
		}
		ch, err := wire.ParseClientHello(m[wire.HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		ch.Random[0] ^= 1
		sentRandom = ch.Random
		return [][]byte{ch.Marshal()}
	}
	p := &pair{t: t,
		client: conn.New(conn.Config{Client: true, Engine: ccfg, RewriteHandshake: rewrite}),
		server: conn.New(conn.Config{Engine: scfg}),
	}
	if err := p.client.Start(); err != nil {
		t.Fatal(err)
	}
	cerr, _ := p.run()
	if got == nil || got.Random != sentRandom {
		t.Fatalf("server read a ClientHello with random %x, want the rewritten %x", got.Random, sentRandom)
	}
	if alert.Of(cerr) != alert.BadRecordMAC {
		t.Fatalf("client: %v, want bad_record_mac from a server whose transcript differs", cerr)
	}
}
