package handshake_test

import (
	"strings"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// hostOfLen is a valid host name of n bytes, n ≥ 1, if it is short
// enough: labels of 62 letters, the last one cut short.
func hostOfLen(n int) string {
	unit := strings.Repeat("a", 62) + "."
	s := []byte(strings.Repeat(unit, n/len(unit)+1)[:n])
	if s[n-1] == '.' {
		s[n-1] = 'b'
	}
	return string(s)
}

// TestServerRefusesBadServerName sends hellos whose server_name is too
// long or no host name, in TLS 1.3 and TLS 1.2, and checks that the server
// fails with illegal_parameter before choosing a certificate.
func TestServerRefusesBadServerName(t *testing.T) {
	for _, name := range []string{hostOfLen(256), hostOfLen(60 << 10), "example.com.", "bad\x00name.example"} {
		for _, v := range []uint16{v13, v12} {
			scfg := serverConfig(t, testpki.ECDSAP256)
			ccfg := clientConfig()
			if v == v12 {
				scfg, ccfg = server12(t, testpki.ECDSAP256, nil), client12(nil)
			}
			asked := false
			scfg.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) {
				asked = true
				return nil, nil
			}
			ch := clientHelloFrom(t, ccfg)
			ch.ServerName = name
			err := serverAnswer(t, scfg, mustMarshal(t, ch.Marshal()))
			wantAlert(t, err, alert.IllegalParameter)
			if asked {
				t.Errorf("%#04x, %d-byte name: GetCertificate was called", v, len(name))
			}
			if len(err.Error()) > 300 {
				t.Errorf("%#04x, %d-byte name: error of %d bytes", v, len(name), len(err.Error()))
			}
		}
	}
}

// TestServerReadsIPLiteralAsNoServerName: an IP address sent as the
// host_name (wrk and Python do) names no host; the server chooses its
// certificate as for a hello without server_name instead of failing.
func TestServerReadsIPLiteralAsNoServerName(t *testing.T) {
	for _, v := range []uint16{v13, v12} {
		scfg := serverConfig(t, testpki.ECDSAP256)
		ccfg := clientConfig()
		if v == v12 {
			scfg, ccfg = server12(t, testpki.ECDSAP256, nil), client12(nil)
		}
		asked, seen := false, "unset"
		var decided []string
		scfg.Observe = func(e handshake.Event) {
			if e.Kind == handshake.Decision && e.Name == string(handshake.DecisionServerName) {
				decided = append(decided, e.Detail)
			}
		}
		scfg.GetCertificate = func(h *handshake.HelloInfo) (*handshake.Certificate, error) {
			asked, seen = true, h.ServerName
			return nil, nil
		}
		ch := clientHelloFrom(t, ccfg)
		ch.ServerName = "192.0.2.1"
		err := serverAnswer(t, scfg, mustMarshal(t, ch.Marshal()))
		if alert.Of(err) == alert.IllegalParameter {
			t.Errorf("%#04x: an IP literal was refused: %v", v, err)
		}
		if !asked || seen != "" {
			t.Errorf("%#04x: GetCertificate asked %v with server name %q, want asked with none", v, asked, seen)
		}
		if len(decided) != 1 || !strings.Contains(decided[0], `"192.0.2.1"`) {
			t.Errorf("%#04x: server_name decisions %q, want one naming the address", v, decided)
		}
	}
}

// TestServerAcceptsLongestServerName checks the other side of the bound: a
// 255-byte name completes a handshake and is what both sides report.
func TestServerAcceptsLongestServerName(t *testing.T) {
	ccfg := clientConfig()
	ccfg.ServerName = hostOfLen(wire.MaxHostNameLen)
	scfg := serverConfig(t, testpki.ECDSAP256)
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	if got := cv.s.e.Result().ServerName; got != ccfg.ServerName {
		t.Errorf("server reports a %d-byte name, want %d bytes", len(got), len(ccfg.ServerName))
	}
}

// TestClientSendsOnlyHostNames checks what a client puts in server_name
// for each kind of configured name: a host name as is, a trailing dot
// removed (RFC 6066 §3), and nothing for IP literals or names no server
// could accept.
func TestClientSendsOnlyHostNames(t *testing.T) {
	for _, tc := range []struct{ configured, sent string }{
		{"server.example.test", "server.example.test"},
		{"server.example.test.", "server.example.test"},
		{hostOfLen(255), hostOfLen(255)},
		{hostOfLen(256), ""},
		{"192.0.2.1", ""},
		{"2001:db8::1", ""},
		{"under_score.example", "under_score.example"},
		{"a..b", ""},
		{".", ""},
	} {
		ccfg := clientConfig()
		ccfg.ServerName = tc.configured
		if got := clientHelloFrom(t, ccfg).ServerName; got != tc.sent {
			t.Errorf("ServerName %.40q: sent %.40q, want %.40q", tc.configured, got, tc.sent)
		}
	}
}
