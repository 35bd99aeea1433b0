package handshake

import (
	crand "crypto/rand"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// These tests force engines off the shape table, with states that do what
// no real state does, and check that the tracker stops them: a step the
// peer took is unexpected_message, one this engine took internal_error.

// offTable is a state that accepts any message and then runs do.
type offTable struct {
	e  *Engine
	do func(e *Engine) state
}

func (s *offTable) handle(uint8, []byte) (state, error) { return s.do(s.e), nil }

// offTableCCS is a TLS 1.2 state that takes a change_cipher_spec.
type offTableCCS struct{ offTable }

func (s *offTableCCS) changeCipherSpec() (state, error) { return s.do(s.e), nil }

// bare is a header-only handshake message of type typ.
func bare(typ uint8) []byte { return []byte{typ, 0, 0, 0} }

func stay(s state) func(*Engine) state { return func(*Engine) state { return s } }

func trackerConfig() *Config {
	return &Config{
		Rand: crand.Reader, ServerName: "server.example.test", Now: time.Now,
		CipherSuites: []uint16{suites.TLS_AES_128_GCM_SHA256}, Groups: []uint16{kex.X25519},
		Schemes: signature.Default13, CertSchemes: signature.DefaultCert,
	}
}

func wantDesc(t *testing.T, err error, want alert.Description) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", want)
	}
	if got := alert.Of(err); got != want {
		t.Fatalf("alert %s (%v), want %s", got, err, want)
	}
}

// failedFor checks that e is failed for good after the tracker stopped it.
func failedFor(t *testing.T, e *Engine) {
	t.Helper()
	if _, err := e.Handle(bare(wire.TypeFinished)); alert.Of(err) != alert.UnexpectedMessage || e.Done() {
		t.Fatalf("after leaving the table the engine took another message: %v (done %v)", err, e.Done())
	}
}

func TestTrackerStopsOwnSteps(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(e *Engine) state
	}{
		{"Finished instead of ServerHello", func(e *Engine) state {
			e.send(&wire.Finished{VerifyData: make([]byte, 32)})
			return &offTable{}
		}},
		{"application key before handshake keys", func(e *Engine) state {
			e.send(&wire.ServerHello{LegacyVersion: 0x0303, SupportedVersion: version.TLS13, CipherSuite: suites.TLS_AES_128_GCM_SHA256})
			e.out.writeKey(suites.Lookup13(suites.TLS_AES_128_GCM_SHA256), make([]byte, 32), LevelApplication)
			return &offTable{}
		}},
		{"EncryptedExtensions in the clear", func(e *Engine) state {
			e.send(&wire.ServerHello{LegacyVersion: 0x0303, SupportedVersion: version.TLS13, CipherSuite: suites.TLS_AES_128_GCM_SHA256})
			e.send(&wire.EncryptedExtensions{})
			return &offTable{}
		}},
		{"two change_cipher_specs", func(e *Engine) state {
			e.send(&wire.ServerHello{LegacyVersion: 0x0303, SupportedVersion: version.TLS13, CipherSuite: suites.TLS_AES_128_GCM_SHA256})
			e.out.ccs()
			e.out.ccs()
			return &offTable{}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewServer(trackerConfig())
			e.cur = &offTable{e: e, do: tc.do}
			acts, err := e.Handle(bare(wire.TypeClientHello))
			wantDesc(t, err, alert.InternalError)
			if acts != nil {
				t.Errorf("the engine's off-table actions were handed out: %d", len(acts))
			}
			failedFor(t, e)
		})
	}
}

func TestTrackerStopsPeerSteps(t *testing.T) {
	start := func(t *testing.T) *Engine {
		e := NewClient(trackerConfig())
		if _, err := e.Start(); err != nil {
			t.Fatal(err)
		}
		return e
	}
	t.Run("Finished instead of ServerHello", func(t *testing.T) {
		e := start(t)
		e.cur = &offTable{e: e, do: stay(&offTable{})}
		_, err := e.Handle(bare(wire.TypeFinished))
		wantDesc(t, err, alert.UnexpectedMessage)
		failedFor(t, e)
	})
	t.Run("change_cipher_spec instead of ServerHello", func(t *testing.T) {
		e := start(t)
		e.cur = &offTableCCS{offTable{e: e, do: stay(&offTable{})}}
		_, err := e.ChangeCipherSpec()
		wantDesc(t, err, alert.UnexpectedMessage)
		failedFor(t, e)
	})
	t.Run("a second ClientHello to the client", func(t *testing.T) {
		e := start(t)
		e.cur = &offTable{e: e, do: stay(&offTable{})}
		_, err := e.Handle(bare(wire.TypeClientHello))
		wantDesc(t, err, alert.UnexpectedMessage)
	})
}

// TestTrackerNeedsACompleteShape: an engine that declares the handshake
// over before any shape is complete fails instead of reporting one.
func TestTrackerNeedsACompleteShape(t *testing.T) {
	e := NewServer(trackerConfig())
	e.cur = &offTable{e: e, do: stay(nil)}
	_, err := e.Handle(bare(wire.TypeClientHello))
	wantDesc(t, err, alert.InternalError)
	if e.Done() || e.Result().Shape != ShapeNone {
		t.Fatalf("done %v with shape %s", e.Done(), e.Result().Shape)
	}
}

// pump runs a client and a server engine against each other, message by
// message, without a record layer, calling before ahead of each delivery.
// It returns the first error either engine returns.
func pump(t *testing.T, c, s *Engine, before func(to *Engine, msg []byte)) error {
	t.Helper()
	type item struct {
		to  *Engine
		msg []byte // nil: a TLS 1.2 change_cipher_spec
	}
	var queue []item
	queueFrom := func(from *Engine, acts []Action) {
		to := s
		if from == s {
			to = c
		}
		for _, a := range acts {
			switch a.Kind {
			case SendHandshake:
				for rest := a.Data; len(rest) > 0; {
					_, n, _ := wire.Header(rest)
					queue = append(queue, item{to, rest[:wire.HeaderLen+n]})
					rest = rest[wire.HeaderLen+n:]
				}
			case SendChangeCipherSpec:
				if from.Version() == version.TLS12 {
					queue = append(queue, item{to: to})
				}
			}
		}
	}
	acts, err := c.Start()
	if err != nil {
		return err
	}
	queueFrom(c, acts)
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.to.Done() && it.msg != nil && it.msg[0] == wire.TypeNewSessionTicket {
			continue // read after the handshake, outside the engine
		}
		if before != nil && it.msg != nil {
			before(it.to, it.msg)
		}
		if it.msg == nil {
			acts, err = it.to.ChangeCipherSpec()
		} else {
			acts, err = it.to.Handle(it.msg)
		}
		if err != nil {
			return err
		}
		queueFrom(it.to, acts)
	}
	if !c.Done() || !s.Done() {
		t.Fatalf("conversation ended with client done %v, server done %v", c.Done(), s.Done())
	}
	return nil
}

func pumpConfigs(t *testing.T) (client, server *Config) {
	t.Helper()
	ca, err := testpki.NewCA("tracker test CA", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"server.example.test"}, KeyType: testpki.ECDSAP256})
	if err != nil {
		t.Fatal(err)
	}
	client, server = trackerConfig(), trackerConfig()
	server.GetCertificate = func(*HelloInfo) (*Certificate, error) {
		return &Certificate{Chain: leaf.Chain, Key: leaf.Key}, nil
	}
	return client, server
}

func TestPumpReachesAShape(t *testing.T) {
	ccfg, scfg := pumpConfigs(t)
	c, s := NewClient(ccfg), NewServer(scfg)
	if err := pump(t, c, s, nil); err != nil {
		t.Fatal(err)
	}
	if c.Result().Shape != ShapeTLS13Full || s.Result().Shape != ShapeTLS13Full {
		t.Fatalf("shapes %s and %s", c.Result().Shape, s.Result().Shape)
	}
}

// TestTrackerChecksWhatTheEngineClaims: a client whose Result claims a
// HelloRetryRequest that its messages never showed fails at the end.
func TestTrackerChecksWhatTheEngineClaims(t *testing.T) {
	ccfg, scfg := pumpConfigs(t)
	c, s := NewClient(ccfg), NewServer(scfg)
	err := pump(t, c, s, func(to *Engine, msg []byte) {
		if to == c && msg[0] == wire.TypeFinished {
			c.result.DidHRR = true
		}
	})
	wantDesc(t, err, alert.InternalError)
	if c.Done() {
		t.Fatalf("the client finished a handshake no shape describes")
	}
}

// TestReachVisitsLikeAScan holds the bit-mask reach to the plain
// ascending scan it replaces, for every shape, both sides and many sets.
func TestReachVisitsLikeAScan(t *testing.T) {
	scan := func(side Side, steps []Step, at uint64) uint64 {
		for p, s := range steps {
			if at&(1<<p) != 0 && (s.Optional || !s.SeenBy(side)) {
				at |= 1 << (p + 1)
			}
		}
		return at
	}
	rng := uint64(0x9e3779b97f4a7c15)
	for i := range shapeTable {
		steps := shapeTable[i].steps
		full := uint64(1)<<(len(steps)+1) - 1
		for _, side := range []Side{SideClient, SideServer} {
			m := &shapeMasks[i][side]
			for n := 0; n < 500; n++ {
				rng ^= rng << 13
				rng ^= rng >> 7
				rng ^= rng << 17
				at := rng & full
				if n < len(steps)+1 {
					at = 1 << n
				}
				if got, want := m.reach(at), scan(side, steps, at); got != want {
					t.Fatalf("shape %s, %s, set %b: reach %b, scan %b", Shape(i+1), side, at, got, want)
				}
			}
		}
	}
}
