package version

import "testing"

func TestName(t *testing.T) {
	for _, c := range []struct {
		v    uint16
		want string
	}{
		{SSL30, "SSL 3.0"},
		{TLS10, "TLS 1.0"},
		{TLS11, "TLS 1.1"},
		{TLS12, "TLS 1.2"},
		{TLS13, "TLS 1.3"},
		{0x0305, "0x0305"},
		{0x0200, "0x0200"},
		{0x7f1c, "0x7F1C"}, // a TLS 1.3 draft version
		{0xfefd, "0xFEFD"}, // DTLS 1.2
	} {
		if got := Name(c.v); got != c.want {
			t.Errorf("Name(0x%04x) = %q, want %q", c.v, got, c.want)
		}
	}
}
