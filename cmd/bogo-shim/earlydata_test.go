package main

import (
	"io"
	"strings"
	"testing"

	"lucid/tls"
)

// earlyServer is a Lucid server for the shim's client: its tickets allow
// maxEarly bytes of early data, under ticket keys every connection shares.
func earlyServer(t *testing.T, maxEarly uint32) *tls.Config {
	t.Helper()
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxEarlyData: maxEarly, MinVersion: tls.VersionTLS13}
	if err := cfg.SetSessionTicketKeys([][32]byte{{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// readHello reads the shim's first write.
func readHello(t *testing.T, c io.Reader) {
	t.Helper()
	first := make([]byte, len(hello))
	if _, err := io.ReadFull(c, first); err != nil || string(first) != hello {
		t.Fatalf("first write %q, %v", first, err)
	}
}

func TestClientSendsEarlyData(t *testing.T) {
	server := earlyServer(t, 1024)
	r := startShim(t, "-resume-count", "1", "-enable-early-data", "-expect-ticket-supports-early-data",
		"-on-resume-shim-writes-first", "-on-resume-expect-accept-early-data",
		"-on-initial-expect-early-data-reason", "no_session_offered")
	for i := range 2 {
		c := tls.Server(r.accept(), server)
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if !c.InEarlyData() {
				t.Fatal("the server did not accept the shim's early data")
			}
			readHello(t, c)
			if !c.ConnectionState().EarlyData.Accepted {
				t.Error("ConnectionState does not report the early data accepted")
			}
		}
		exchange(t, c, "ping")
		c.Close()
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestClientEarlyDataRejected(t *testing.T) {
	first := earlyServer(t, 1024)
	// The same ticket keys, without early data: the resumption goes on
	// and the early data is skipped.
	second := first.Clone()
	second.MaxEarlyData = 0
	if err := second.SetSessionTicketKeys([][32]byte{{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	// The second server's ticket allows no early data.
	r := startShim(t, "-resume-count", "1", "-enable-early-data", "-on-initial-expect-ticket-supports-early-data",
		"-on-resume-shim-writes-first", "-on-resume-expect-reject-early-data",
		"-on-retry-expect-early-data-reason", "peer_declined")
	for i, cfg := range []*tls.Config{first, second} {
		c := tls.Server(r.accept(), cfg)
		// Under the -on-retry flags the shim does not write its
		// "hello" again: the echo is the first thing to come back.
		exchange(t, c, "ping")
		cs := c.ConnectionState()
		if i == 1 && (!cs.DidResume || !cs.EarlyData.Offered || cs.EarlyData.Accepted) {
			t.Errorf("resumed %v, early data %+v; want a resumption refusing offered early data", cs.DidResume, cs.EarlyData)
		}
		c.Close()
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestClientEarlyDataUnexpectedlyRejected(t *testing.T) {
	first := earlyServer(t, 1024)
	second := first.Clone()
	second.MaxEarlyData = 0
	if err := second.SetSessionTicketKeys([][32]byte{{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	r := startShim(t, "-resume-count", "1", "-enable-early-data", "-expect-ticket-supports-early-data",
		"-on-resume-shim-writes-first", "-on-resume-expect-accept-early-data")
	c := tls.Server(r.accept(), first)
	exchange(t, c, "ping")
	c.Close()
	c = tls.Server(r.accept(), second)
	c.Handshake()
	io.Copy(io.Discard, c)
	if code := r.wait(); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, r.stderr)
	}
	if !strings.Contains(r.stderr.String(), ":EARLY_DATA_REJECTED:") {
		t.Errorf("stderr %q does not name the rejection", r.stderr)
	}
}

func TestServerAcceptsEarlyData(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, "-resume-count", "1",
		"-enable-early-data", "-on-resume-expect-accept-early-data",
		"-on-initial-expect-early-data-reason", "no_session_offered")
	client := &tls.Config{InsecureSkipVerify: true, ServerName: "test.example", ClientSessionCache: tls.NewLRUClientSessionCache(1), SendEarlyData: true}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exit %d, stderr %q", r.wait(), r.stderr)
		}
	})
	for i := range 2 {
		c := tls.Client(r.accept(), client)
		exchange(t, c, "early ping")
		if got := c.ConnectionState().EarlyData.Accepted; got != (i == 1) {
			t.Errorf("connection %d: early data accepted %v", i, got)
		}
		exchange(t, c, "late ping")
		c.Close()
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestServerEarlyDataReason(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	// The client does not send early data: BoringSSL's server calls that
	// peer_declined, Lucid's "not offered".
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, "-resume-count", "1",
		"-enable-early-data", "-on-resume-expect-early-data-reason", "peer_declined", "-on-resume-expect-reject-early-data")
	client := &tls.Config{InsecureSkipVerify: true, ServerName: "test.example", ClientSessionCache: tls.NewLRUClientSessionCache(1)}
	for range 2 {
		c := tls.Client(r.accept(), client)
		exchange(t, c, "ping")
		c.Close()
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestBoringEarlyReason(t *testing.T) {
	on := &settings{enableEarlyData: true}
	server := &settings{enableEarlyData: true, server: true}
	tls13 := func(e tls.EarlyDataState, resumed bool) tls.ConnectionState {
		return tls.ConnectionState{Version: tls.VersionTLS13, DidResume: resumed, EarlyData: e}
	}
	for _, c := range []struct {
		name    string
		cs      tls.ConnectionState
		s       *settings
		psk     bool
		tickets bool
		want    string
	}{
		{"accepted", tls13(tls.EarlyDataState{Offered: true, Accepted: true}, true), on, false, false, "accepted"},
		{"disabled", tls13(tls.EarlyDataState{Reason: tls.EarlyDataDisabled}, true), &settings{}, false, false, "disabled"},
		{"tls12", tls.ConnectionState{Version: tls.VersionTLS12, EarlyData: tls.EarlyDataState{Reason: tls.EarlyDataNoSession}}, on, false, false, "protocol_version"},
		{"client no session", tls13(tls.EarlyDataState{Reason: tls.EarlyDataNoSession}, false), on, false, false, "no_session_offered"},
		{"client not resumed", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataNoSession}, false), on, false, false, "session_not_resumed"},
		{"client declined", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataPeerDeclined}, true), on, false, false, "peer_declined"},
		{"server no psk", tls13(tls.EarlyDataState{Reason: tls.EarlyDataNotOffered}, false), server, false, true, "no_session_offered"},
		{"server psk refused", tls13(tls.EarlyDataState{Reason: tls.EarlyDataNotOffered}, false), server, true, true, "session_not_resumed"},
		{"server ticket without early data", tls13(tls.EarlyDataState{Reason: tls.EarlyDataNotOffered}, true), server, true, false, "unsupported_for_session"},
		{"server client declined", tls13(tls.EarlyDataState{Reason: tls.EarlyDataNotOffered}, true), server, true, true, "peer_declined"},
		{"ticket forbids", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataTicketForbids}, true), server, true, true, "unsupported_for_session"},
		{"age", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataTicketAge}, true), server, true, true, "ticket_age_skew"},
		{"alpn", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataALPNMismatch}, true), server, true, true, "alpn_mismatch"},
		{"hrr", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataHelloRetryRequest}, true), server, true, true, "hello_retry_request"},
		{"hrr and ticket declined", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataHelloRetryRequest}, false), server, true, true, "session_not_resumed"},
		{"replay", tls13(tls.EarlyDataState{Offered: true, Reason: tls.EarlyDataReplay}, true), server, true, true, "lucid:replay"},
	} {
		sh := &shim{issuedEarlyTickets: c.tickets}
		o := newObserved()
		o.offeredPSK.Store(c.psk)
		if got := sh.boringEarlyReason(c.cs, c.s, o, true); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// BoringSSL's client exports keying material while in early data, which
// fails; the shim exports before the write that would start Lucid's
// handshake, which fails likewise.
func TestClientExportBeforeEarlyData(t *testing.T) {
	server := earlyServer(t, 1024)
	r := startShim(t, "-resume-count", "1", "-enable-early-data", "-expect-ticket-supports-early-data", "-on-resume-shim-writes-first",
		"-on-resume-export-keying-material", "16", "-on-resume-export-label", "label")
	c := tls.Server(r.accept(), server)
	exchange(t, c, "ping")
	c.Close()
	c = tls.Server(r.accept(), server)
	c.Handshake()
	io.Copy(io.Discard, c)
	if code := r.wait(); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, r.stderr)
	}
	if !strings.Contains(r.stderr.String(), "exporting keying material") {
		t.Errorf("stderr %q does not name the exporter", r.stderr)
	}
}

// -expect-cipher tells the suites of a 0-RTT retry apart from the
// session's (EarlyData-Reject0RTT-DifferentPRF-*).
func TestExpectCipher(t *testing.T) {
	cs := tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256}
	if err := checkState(cs, &settings{expectCipher: int(tls.TLS_AES_128_GCM_SHA256)}, false); err != nil {
		t.Errorf("matching suite: %v", err)
	}
	if err := checkState(cs, &settings{expectCipher: int(tls.TLS_AES_256_GCM_SHA384)}, false); err == nil {
		t.Error("a different suite passed -expect-cipher")
	}
}
