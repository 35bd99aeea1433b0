package handshake_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

func TestServerRejectsMoreClientHellos(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func(*handshake.Config)
		server func(*handshake.Config)
		mutate func(*wire.ClientHello)
		want   alert.Description
	}{
		{
			name:   "X25519 share of the wrong length",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519} },
			mutate: func(ch *wire.ClientHello) { ch.KeyShares[0].Data = ch.KeyShares[0].Data[:31] },
			want:   alert.IllegalParameter,
		},
		{
			name:   "X25519 low-order share",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519} },
			mutate: func(ch *wire.ClientHello) { ch.KeyShares[0].Data = make([]byte, 32) },
			want:   alert.IllegalParameter,
		},
		{
			name:   "P-256 share not on the curve",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.P256} },
			mutate: func(ch *wire.ClientHello) { ch.KeyShares[0].Data = append([]byte{4}, make([]byte, 64)...) },
			want:   alert.IllegalParameter,
		},
		{
			name:   "hybrid share truncated",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519MLKEM768} },
			mutate: func(ch *wire.ClientHello) { ch.KeyShares[0].Data = ch.KeyShares[0].Data[:100] },
			want:   alert.IllegalParameter,
		},
		{
			name:   "two shares for one group",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519} },
			mutate: func(ch *wire.ClientHello) { ch.KeyShares = append(ch.KeyShares, ch.KeyShares[0]) },
			want:   alert.IllegalParameter,
		},
		{
			name:   "no signature scheme fits the certificate",
			client: func(c *handshake.Config) { c.Schemes = []signature.Scheme{signature.Ed25519} },
			want:   alert.HandshakeFailure,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := clientConfig()
			if tc.client != nil {
				tc.client(ccfg)
			}
			scfg := serverConfig(t, testpki.ECDSAP256)
			if tc.server != nil {
				tc.server(scfg)
			}
			ch := clientHelloFrom(t, ccfg)
			if tc.mutate != nil {
				tc.mutate(ch)
			}
			wantAlert(t, serverAnswer(t, scfg, mustMarshal(t, ch.Marshal())), tc.want)
		})
	}
}

// A message whose header disagrees with its length is a framing error.
func TestHandleFraming(t *testing.T) {
	ch := clientHelloFrom(t, clientConfig()).Marshal()
	for name, msg := range map[string][]byte{
		"trailing byte": append(append([]byte(nil), ch...), 0),
		"truncated":     ch[:len(ch)-1],
	} {
		t.Run(name, func(t *testing.T) {
			wantAlert(t, serverAnswer(t, serverConfig(t, testpki.ECDSAP256), msg), alert.DecodeError)
		})
	}
}

// The server's compatibility change_cipher_spec follows its first message
// even when the client sent no legacy_session_id: RFC 8446 §D.4 requires it
// only with one, but allows it at any time.
func TestCompatibilityCCSWithoutSessionID(t *testing.T) {
	for _, hrr := range []bool{false, true} {
		t.Run(fmt.Sprint("hrr=", hrr), func(t *testing.T) {
			ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
			if hrr {
				hrrClient(ccfg)
				hrrServer(scfg)
			}
			// Answer a session-id-less ClientHello with a fresh server,
			// outside the conversation (the client would refuse the echo).
			ch := clientHelloFrom(t, ccfg)
			ch.SessionID = nil
			s := handshake.NewServer(scfg)
			acts, err := s.Handle(ch.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			ccs := 0
			for _, a := range acts {
				if a.Kind == handshake.SendChangeCipherSpec {
					ccs++
				}
			}
			if ccs != 1 {
				t.Errorf("server sent %d change_cipher_spec records, want 1 after its first message", ccs)
			}
		})
	}
}

// Events carry names and lengths, never key material.
func TestEventsCarryNoSecrets(t *testing.T) {
	var events []handshake.Event
	obs := func(e handshake.Event) { events = append(events, e) }
	ccfg, scfg := clientConfig(), serverConfig(t, testpki.RSA2048)
	hrrClient(ccfg)
	hrrServer(scfg)
	ccfg.Observe, scfg.Observe = obs, obs
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	var secrets [][]byte
	for _, s := range []*side{cv.c, cv.s} {
		for _, a := range s.actions {
			if a.Traffic.Suite != nil {
				secrets = append(secrets, a.Traffic.Secret)
			}
		}
	}
	r := cv.c.e.Result()
	secrets = append(secrets, r.Exporter, r.Resumption)
	sent, received := 0, 0
	for _, e := range events {
		switch e.Kind {
		case handshake.MessageSent:
			sent++
		case handshake.MessageReceived:
			received++
		}
		text := fmt.Sprintf("%+v", e)
		for _, s := range secrets {
			if strings.Contains(text, fmt.Sprintf("%x", s)) || strings.Contains(text, fmt.Sprint(s)) || bytes.Contains([]byte(text), s) {
				t.Errorf("event %s/%s reveals a secret", e.Kind, e.Name)
			}
		}
	}
	if sent != len(cv.delivered) || received != len(cv.delivered) {
		t.Errorf("%d sent and %d received events for %d messages", sent, received, len(cv.delivered))
	}
}

// RFC 8446 §4.2.9: "If clients offer "pre_shared_key" without a
// "psk_key_exchange_modes" extension, servers MUST abort the handshake."
func TestServerRejectsPSKWithoutModes(t *testing.T) {
	ch := clientHelloFrom(t, clientConfig())
	ch.PSKModes = nil
	ch.PSKIdentities = []wire.PSKIdentity{{Identity: []byte("ticket"), ObfuscatedTicketAge: 1}}
	ch.PSKBinders = [][]byte{make([]byte, 32)}
	wantAlert(t, serverAnswer(t, serverConfig(t, testpki.ECDSAP256), mustMarshal(t, ch.Marshal())), alert.MissingExtension)
}

// An empty client_shares list is legal (RFC 8446 §9.2) and asks for a
// HelloRetryRequest.
func TestServerRetriesEmptyKeyShare(t *testing.T) {
	ch := clientHelloFrom(t, clientConfig())
	ch.KeyShares = nil
	s := handshake.NewServer(serverConfig(t, testpki.ECDSAP256))
	acts, err := s.Handle(ch.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	sh, err := wire.ParseServerHello(acts[0].Data[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	if !sh.IsHelloRetryRequest() || sh.SelectedGroup != kex.X25519MLKEM768 {
		t.Fatalf("answer is not an HRR for the server's first group: %+v", sh)
	}
}
