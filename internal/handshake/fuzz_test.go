package handshake_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/wire"
)

// The engine fuzzers feed one engine what its peer would send, with no
// record layer: whole handshake messages, and 0xff (no handshake type) for
// a TLS 1.2 change_cipher_spec. Whatever arrives, an engine fails with an
// alert or goes on, never panics, stays failed once failed, and a
// handshake it completes has a shape from the table that fits it. The
// seeds are real conversations, made with fixed randomness and an Ed25519
// certificate made the same way every time, so that a fuzzing worker that
// replays them reaches the states behind every Finished.

const fuzzCCS = 0xff

var fuzzKey = sync.OnceValue(func() *handshake.Certificate {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: testHost},
		DNSNames:     []string{testHost},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return &handshake.Certificate{Chain: [][]byte{der}, Key: key}
})

// fuzzConfigs are a client and a server that repeat themselves byte for
// byte; tls12 limits both to TLS 1.2, auth makes the server ask for a
// client certificate.
// fuzzSealer seals the fuzzed servers' tickets under a fixed key.
var fuzzSealer = func() *session.Sealer {
	var key session.TicketKey
	for i := range key {
		key[i] = 7
	}
	s, err := session.NewSealer([]session.TicketKey{key})
	if err != nil {
		panic(err)
	}
	return s
}()

func fuzzConfigs(tls12, auth bool) (client, server *handshake.Config) {
	now := func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	cert := fuzzKey()
	mk := func(seed byte) *handshake.Config {
		c := &handshake.Config{
			Rand: seeded(seed), Deterministic: true, Now: now, ServerName: testHost,
			CipherSuites: []uint16{suites.TLS_AES_128_GCM_SHA256}, Groups: []uint16{kex.X25519},
			Schemes: signature.Default13, CertSchemes: signature.DefaultCert,
		}
		if tls12 {
			c.MinVersion, c.MaxVersion = v12, v12
			c.Suites12, c.Schemes = []uint16{0xc02b}, signature.Default12
		}
		return c
	}
	client, server = mk(1), mk(2)
	server.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) { return cert, nil }
	// Tickets, so that a TLS 1.3 server without client authentication
	// sends its ticket in its first flight, made from the client Finished
	// it expects, and the fuzzer reaches the check of the one that comes.
	server.Tickets = fuzzSealer
	if auth {
		server.ClientAuth = handshake.RequestClientAuth
		client.GetClientCertificate = func(*handshake.CertRequest) (*handshake.Certificate, error) { return cert, nil }
	}
	return client, server
}

// fuzzSeeds records what each side of a real conversation received, in
// the fuzzers' form.
func fuzzSeeds(tb testing.TB, tls12, auth bool) (toClient, toServer []byte) {
	ccfg, scfg := fuzzConfigs(tls12, auth)
	c, s := handshake.NewClient(ccfg), handshake.NewServer(scfg)
	type item struct {
		to  *handshake.Engine
		msg []byte
	}
	var queue []item
	push := func(from *handshake.Engine, acts []handshake.Action) {
		to := s
		if from == s {
			to = c
		}
		for _, a := range acts {
			switch {
			case a.Kind == handshake.SendHandshake:
				// A copy: the sender reuses its flight's array.
				queue = append(queue, item{to, bytes.Clone(a.Data)})
			case a.Kind == handshake.SendChangeCipherSpec && from.Version() == v12:
				queue = append(queue, item{to, []byte{fuzzCCS}})
			}
		}
	}
	acts, err := c.Start()
	if err != nil {
		tb.Fatal(err)
	}
	push(c, acts)
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.to.Done() {
			continue
		}
		if it.to == c {
			toClient = append(toClient, it.msg...)
		} else {
			toServer = append(toServer, it.msg...)
		}
		if acts, err = feedOne(it.to, it.msg); err != nil {
			tb.Fatalf("recording a conversation: %v", err)
		}
		push(it.to, acts)
	}
	if !c.Done() || !s.Done() {
		tb.Fatal("the recorded conversation did not complete")
	}
	return toClient, toServer
}

// feedOne hands e everything in b: handshake messages and change_cipher_spec
// markers, stopping at the first error.
func feedOne(e *handshake.Engine, b []byte) (acts []handshake.Action, err error) {
	for len(b) > 0 {
		var more []handshake.Action
		if b[0] == fuzzCCS {
			more, err = e.ChangeCipherSpec()
			b = b[1:]
		} else {
			_, n, ok := wire.Header(b)
			if !ok || len(b) < wire.HeaderLen+n {
				return acts, nil
			}
			more, err = e.Handle(b[:wire.HeaderLen+n])
			b = b[wire.HeaderLen+n:]
		}
		if err != nil {
			return nil, err
		}
		acts = append(acts, more...)
	}
	return acts, nil
}

// fuzzEngine feeds in to e and checks what the engine made of it.
func fuzzEngine(t *testing.T, e *handshake.Engine, in []byte) {
	_, err := feedOne(e, in)
	if err != nil {
		// The states refuse whatever the table does not allow, each
		// with its own alert; the tracker catching a step means a state
		// and the table disagree.
		if strings.Contains(err.Error(), "handshake shape") {
			t.Fatalf("the tracker caught a step the states let through: %v (alert %s)", err, alert.Of(err))
		}
		if _, again := e.Handle([]byte{wire.TypeFinished, 0, 0, 0}); again == nil || e.Done() {
			t.Fatalf("a failed engine took another message")
		}
		return
	}
	if !e.Done() {
		return
	}
	r := e.Result()
	if r.Shape == handshake.ShapeNone || r.Shape.Version() != r.Version || r.Shape.HelloRetry() != r.DidHRR ||
		(r.Shape.Resumed() != handshake.NotResumed) != r.DidResume {
		t.Fatalf("completed with shape %s, version %#04x, HRR %v, resumed %v", r.Shape, r.Version, r.DidHRR, r.DidResume)
	}
}

func addEngineSeeds(f *testing.F, client bool) {
	f.Add([]byte{})
	f.Add([]byte{fuzzCCS})
	f.Add([]byte{wire.TypeFinished, 0, 0, 0})
	for _, tls12 := range []bool{false, true} {
		for _, auth := range []bool{false, true} {
			toClient, toServer := fuzzSeeds(f, tls12, auth)
			if client {
				f.Add(toClient)
			} else {
				f.Add(toServer)
			}
		}
	}
}

// FuzzServerEngine plays the client to a server engine.
func FuzzServerEngine(f *testing.F) {
	addEngineSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, tls12 := range []bool{false, true} {
			for _, auth := range []bool{false, true} {
				_, scfg := fuzzConfigs(tls12, auth)
				fuzzEngine(t, handshake.NewServer(scfg), in)
			}
		}
	})
}

// FuzzClientEngine plays the server to a client engine.
func FuzzClientEngine(f *testing.F) {
	addEngineSeeds(f, true)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, tls12 := range []bool{false, true} {
			ccfg, _ := fuzzConfigs(tls12, true)
			e := handshake.NewClient(ccfg)
			if _, err := e.Start(); err != nil {
				t.Fatal(err)
			}
			fuzzEngine(t, e, in)
		}
	})
}

// TestEngineSeedsComplete: the seeds replayed by themselves complete the
// handshake, so fuzzing starts from the deepest states.
func TestEngineSeedsComplete(t *testing.T) {
	for _, tls12 := range []bool{false, true} {
		for _, auth := range []bool{false, true} {
			toClient, toServer := fuzzSeeds(t, tls12, auth)
			ccfg, scfg := fuzzConfigs(tls12, auth)
			c := handshake.NewClient(ccfg)
			if _, err := c.Start(); err != nil {
				t.Fatal(err)
			}
			s := handshake.NewServer(scfg)
			for _, side := range []struct {
				e  *handshake.Engine
				in []byte
			}{{c, toClient}, {s, toServer}} {
				if _, err := feedOne(side.e, side.in); err != nil || !side.e.Done() {
					t.Errorf("TLS 1.2 %v, client auth %v: replay ends with %v, done %v", tls12, auth, err, side.e.Done())
				}
			}
		}
	}
}
