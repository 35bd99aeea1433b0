package tls

import (
	"bytes"
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/session"
	"lucid/internal/version"
)

func sampleClientSession(ticket, id []byte) *ClientSessionState {
	now := time.Unix(1_800_000_000, 0).UTC()
	return &ClientSessionState{s: &handshake.ClientSession{
		State: &session.State{
			Version: version.TLS13, Suite: TLS_AES_128_GCM_SHA256, Group: uint16(X25519),
			Secret: bytes.Repeat([]byte{7}, 32), CreatedAt: now, AuthTime: now.Add(-time.Hour),
			Lifetime: time.Hour, AgeAdd: 12345, ALPN: "h2", ServerName: "example.test",
			PeerCerts: [][]byte{{0x30, 1, 2}}, Verified: true,
		},
		Ticket: ticket, SessionID: id,
	}}
}

func TestClientSessionStateRoundTrip(t *testing.T) {
	for _, cs := range []*ClientSessionState{
		sampleClientSession([]byte("a ticket"), nil),
		sampleClientSession(nil, bytes.Repeat([]byte{1}, 32)),
	} {
		b, err := cs.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got ClientSessionState
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.s.Ticket, cs.s.Ticket) || !bytes.Equal(got.s.SessionID, cs.s.SessionID) ||
			!bytes.Equal(got.s.State.Secret, cs.s.State.Secret) || got.s.State.ServerName != "example.test" || !got.s.State.Verified {
			t.Errorf("round trip changed the session: %+v", got.s)
		}
		// Every truncation and every trailing byte is refused.
		for i := range len(b) {
			if err := new(ClientSessionState).UnmarshalBinary(b[:i]); err == nil {
				t.Errorf("truncated to %d of %d bytes: accepted", i, len(b))
			}
		}
		if err := new(ClientSessionState).UnmarshalBinary(append(b, 0)); err == nil {
			t.Error("a trailing byte was accepted")
		}
	}
	if _, err := sampleClientSession(nil, nil).MarshalBinary(); err != nil {
		t.Fatal(err) // encodable, but...
	}
	b, _ := sampleClientSession(nil, nil).MarshalBinary()
	if err := new(ClientSessionState).UnmarshalBinary(b); err == nil {
		t.Error("a session with neither ticket nor ID was accepted")
	}
	if _, err := (&ClientSessionState{}).MarshalBinary(); err == nil {
		t.Error("an empty ClientSessionState was encoded")
	}
	if err := new(ClientSessionState).UnmarshalBinary([]byte("-----BEGIN CERTIFICATE-----")); err == nil {
		t.Error("a PEM file was accepted as a session")
	}
}

// FuzzClientSessionStateUnmarshal: no input panics or allocates without
// bound, and whatever decodes encodes back to the same bytes.
func FuzzClientSessionStateUnmarshal(f *testing.F) {
	for _, cs := range []*ClientSessionState{
		sampleClientSession([]byte("a ticket"), nil),
		sampleClientSession(nil, bytes.Repeat([]byte{1}, 32)),
		sampleClientSession([]byte{9}, []byte{8}),
	} {
		b, err := cs.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(clientSessionMagic))
	f.Add([]byte(clientSessionMagic + "\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var cs ClientSessionState
		if cs.UnmarshalBinary(b) != nil {
			return
		}
		out, err := cs.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded but does not encode: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", b, out)
		}
	})
}
