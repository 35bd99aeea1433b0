package tls_test

import (
	"bytes"
	"testing"

	"lucid/tls"
)

// TestConnectionStateKept checks that the state of a finished handshake is
// worked out once: later calls return the same values, exporter included,
// without building anything again (the JA3/JA4 fingerprints cost a hash
// and a sort, and a server asks for the state of every connection).
func TestConnectionStateKept(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
	client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"})
	if before := server.ConnectionState(); before.HandshakeComplete || before.JA3 != "" {
		t.Fatalf("state before the handshake: %+v", before)
	}
	done := make(chan error, 1)
	go func() { done <- client.Handshake() }()
	if err := server.Handshake(); err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	first := server.ConnectionState()
	if !first.HandshakeComplete || len(first.JA3) != 32 || first.JA4 == "" || first.Version != tls.VersionTLS13 {
		t.Fatalf("state after the handshake: %+v", first)
	}
	var again tls.ConnectionState
	if allocs := testing.AllocsPerRun(20, func() { again = server.ConnectionState() }); allocs != 0 {
		t.Errorf("ConnectionState after the handshake allocates %v times per call, want 0", allocs)
	}
	if again.JA3 != first.JA3 || again.JA4 != first.JA4 || again.CipherSuite != first.CipherSuite || again.Shape != first.Shape {
		t.Fatalf("state changed between calls: %+v, then %+v", first, again)
	}
	ekm1, err := first.ExportKeyingMaterial("EXPERIMENTAL test", nil, 32)
	if err != nil {
		t.Fatal(err)
	}
	ekm2, err := again.ExportKeyingMaterial("EXPERIMENTAL test", nil, 32)
	if err != nil {
		t.Fatal(err)
	}
	cs := client.ConnectionState()
	ekmClient, err := cs.ExportKeyingMaterial("EXPERIMENTAL test", nil, 32)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ekm1, ekm2) || !bytes.Equal(ekm1, ekmClient) {
		t.Fatalf("exported keying material differs: %x, %x, client %x", ekm1, ekm2, ekmClient)
	}
}
