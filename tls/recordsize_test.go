package tls_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// Lucid to Lucid over TCP, both versions, small limits each way: every
// protected record on the wire keeps to the limit its receiver advertised,
// and the data arrives whole.
func TestRecordSizeLimitLucid(t *testing.T) {
	f := iopFixtures(t)
	for _, tc := range rslVersions {
		// {512, 0}: a server configured with no limit still answers the
		// client's, with the version's maximum, and keeps to it.
		for _, lim := range []struct{ client, server uint16 }{{64, 512}, {512, 64}, {512, 0}} {
			t.Run(tc.name, func(t *testing.T) {
				rawC, rawS := iopLoopbackPair(t)
				wc := &rslWire{Conn: rawC}
				scfg := &tls.Config{Certificates: []tls.Certificate{iopLucidCert(t, f.leaves[testpki.ECDSAP256])}, MinVersion: tc.v, MaxVersion: tc.v,
					RecordSizeLimit: lim.server, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
				ccfg := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MinVersion: tc.v, MaxVersion: tc.v, RecordSizeLimit: lim.client}
				var mu sync.Mutex
				var decisions []string
				ccfg.Observer = func(e tls.Event) {
					if e.Kind == tls.EventDecision && e.Name == "record_size_limit" {
						mu.Lock()
						decisions = append(decisions, e.Detail)
						mu.Unlock()
					}
				}
				c, s := tls.Client(wc, ccfg), tls.Server(rawS, scfg)
				defer c.Close()
				defer s.Close()
				c.SetDeadline(testwait.Deadline(t))
				s.SetDeadline(testwait.Deadline(t))
				msg := rslPayload(5000)
				errc := make(chan error, 1)
				go func() {
					got := make([]byte, len(msg))
					if _, err := io.ReadFull(s, got); err != nil {
						errc <- err
						return
					}
					_, err := s.Write(got)
					errc <- err
				}()
				if _, err := c.Write(msg); err != nil {
					t.Fatal(err)
				}
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(c, got); err != nil {
					t.Fatal(err)
				}
				if err := testwait.Recv(t, errc, "the server's echo"); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, msg) {
					t.Fatal("echo differs")
				}
				// The client's events name both limits.
				mu.Lock()
				want := fmt.Sprintf("to this side at most %d bytes, to the peer at most %d", rslLimitFor(lim.client, tc.v), rslLimitFor(lim.server, tc.v))
				if lim.server == 0 {
					want = fmt.Sprintf("to this side at most %d bytes, to the peer at most %d", rslLimitFor(lim.client, tc.v), rslLimitFor(1<<15, tc.v))
				}
				if len(decisions) != 1 || !strings.Contains(decisions[0], want) {
					t.Errorf("client's record_size_limit decisions %q, want one saying %q", decisions, want)
				}
				mu.Unlock()
				wc.mu.Lock()
				sent, recvd := bytes.Clone(wc.out.Bytes()), bytes.Clone(wc.in.Bytes())
				wc.mu.Unlock()
				if largest, n := rslLargestProtected(t, sent, tc.v, rslOverhead(tc.v)); lim.server != 0 && largest != int(lim.server) {
					t.Errorf("client's largest protected record: %d bytes of plaintext in %d records, want %d", largest, n, lim.server)
				}
				if largest, n := rslLargestProtected(t, recvd, tc.v, rslOverhead(tc.v)); largest != int(lim.client) {
					t.Errorf("server's largest protected record: %d bytes of plaintext in %d records, want %d", largest, n, lim.client)
				}
			})
		}
	}
}

// rslLimitFor is the limit an endpoint configured with n keeps to at
// version v: n, within the version's maximum.
func rslLimitFor(n uint16, v uint16) uint16 {
	if v == tls.VersionTLS13 {
		return min(n, 1<<14+1)
	}
	return min(n, 1<<14)
}
