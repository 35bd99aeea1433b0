package tls_test

import (
	"io"
	"testing"

	"lucid/tls"
)

func TestQuickResume(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		f := newLucidFixture(t, "ecdsa-p256")
		scfg := &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, MaxVersion: v}
		ccfg := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
		for i := range 3 {
			c, s := pair(t)
			client, server := tls.Client(c, ccfg), tls.Server(s, scfg)
			done := make(chan error, 1)
			go func() {
				_, err := server.Write([]byte("hi"))
				done <- err
			}()
			buf := make([]byte, 2)
			if _, err := io.ReadFull(client, buf); err != nil {
				t.Fatalf("v%x #%d: %v", v, i, err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			cs, ss := client.ConnectionState(), server.ConnectionState()
			if cs.DidResume != (i > 0) || ss.DidResume != (i > 0) {
				t.Fatalf("v%x #%d: client resumed %v, server %v", v, i, cs.DidResume, ss.DidResume)
			}
			if len(cs.PeerCertificates) == 0 {
				t.Fatalf("v%x #%d: no peer certificates", v, i)
			}
		}
	}
}

// With psk_ke on both sides a resumed TLS 1.3 handshake has no key
// exchange: the ServerHello carries no key_share, and the group reported is
// the one the session was made with.
func TestPSKWithoutKeyExchange(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	scfg := &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, PSKWithoutKeyExchange: true}
	ccfg := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(4), PSKWithoutKeyExchange: true}
	for i := range 2 {
		c, s := pair(t)
		client, server := tls.Client(c, ccfg), tls.Server(s, scfg)
		go server.Write([]byte("hi"))
		buf := make([]byte, 2)
		if _, err := io.ReadFull(client, buf); err != nil {
			t.Fatalf("#%d: %v", i, err)
		}
		st := client.ConnectionState()
		if st.DidResume != (i == 1) || st.CurveID == 0 {
			t.Fatalf("#%d: resumed %v, group %v", i, st.DidResume, st.CurveID)
		}
	}
}
