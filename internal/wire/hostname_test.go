package wire

import (
	"strings"
	"testing"

	"lucid/internal/alert"
)

// longName returns a valid host name of exactly n bytes (n ≥ 1): labels
// of 62 letters joined by dots, the last one cut short.
func longName(n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.Repeat("a", min(62, n-b.Len())))
	}
	s := b.String()
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1] + "b"
	}
	return s
}

func TestCheckHostName(t *testing.T) {
	good := []string{
		"a", "localhost", "example.com", "EXAMPLE.com", "a-b.c-d.example",
		"xn--bcher-kva.example", "1.2.3", "123.example", "0x7f.example",
		// Not LDH, but real names have them and browsers send them.
		"a_b.example", "_acme.example",
		strings.Repeat("a", 63) + ".example", longName(MaxHostNameLen),
	}
	for _, name := range good {
		if err := CheckHostName(name); err != nil {
			t.Errorf("CheckHostName(%q): %v", name, err)
		}
	}
	bad := map[string]string{
		"":                               "empty",
		longName(MaxHostNameLen + 1):     "256 bytes",
		longName(60000):                  "60000 bytes",
		"example.com.":                   "trailing dot",
		".example.com":                   "leading dot",
		"a..b":                           "empty label",
		strings.Repeat("a", 64) + ".com": "64-byte label",
		"-a.example":                     "leading hyphen",
		"a-.example":                     "trailing hyphen",
		"a b.example":                    "space",
		"localhost\x00":                  "NUL",
		"localhos\x07t":                  "BEL",
		"localhos\u0105t":                "UTF-8",
		"localhost\x1b[31mBAD\x1b[0;37m": "ANSI escape",
		"127.0.0.1":                      "IPv4 literal",
		"::1":                            "IPv6 literal",
		"[::1]":                          "bracketed IPv6 literal",
		"2001:db8::1":                    "IPv6 literal",
		"*.example.com":                  "wildcard",
		"example.com:443":                "port",
	}
	for name, why := range bad {
		err := CheckHostName(name)
		if err == nil {
			t.Errorf("CheckHostName accepts a name with %s", why)
			continue
		}
		// A hostile name must not be echoed into errors and logs.
		if len(name) > 8 && strings.Contains(err.Error(), name) {
			t.Errorf("error for %s repeats the name: %v", why, err)
		}
	}
}

// sniExt is a server_name extension carrying one host_name.
func sniExt(name string) []byte {
	return ext(ExtServerName, vec16(cat([]byte{0}, vec16([]byte(name)...))...)...)
}

func TestServerNameBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		sni  string
		want alert.Description // 0: accepted
	}{
		{"longest name", longName(MaxHostNameLen), 0},
		{"one byte too long", longName(MaxHostNameLen + 1), alert.IllegalParameter},
		{"60 KB name", longName(60 << 10), alert.IllegalParameter},
		{"trailing dot", "example.com.", alert.IllegalParameter},
		{"NUL", "example.com\x00", alert.IllegalParameter},
		{"empty label", "example..com", alert.IllegalParameter},
	} {
		m, err := ParseClientHello(chBody(sniExt(tc.sni)))
		if tc.want == 0 {
			if err != nil || m.ServerName != tc.sni {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantAlert(t, err, tc.want)
		if err != nil && len(err.Error()) > 300 {
			t.Errorf("%s: error of %d bytes", tc.name, len(err.Error()))
		}
	}
	// An IP literal names no host: the hello reads as one without a
	// server name, and the literal is kept aside.
	if _, err := ParseClientHello(chBody(sniExt("fe80::1%eth0"))); err == nil {
		t.Error("an IPv6 literal with a zone was accepted")
	}
	for _, ip := range []string{"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"} {
		m, err := ParseClientHello(chBody(sniExt(ip)))
		if err != nil || m.ServerName != "" || m.ServerNameIP != ip {
			t.Errorf("IP literal %q: ServerName %q, ServerNameIP %q, %v", ip, m.ServerName, m.ServerNameIP, err)
		}
	}
	// Types other than host_name are skipped unjudged (RFC 6066 §3 lets
	// future types define their own syntax), whatever they hold.
	other := ext(ExtServerName, vec16(cat([]byte{0}, vec16([]byte("example.com")...), []byte{9}, vec16(make([]byte, 300)...))...)...)
	if m, err := ParseClientHello(chBody(other)); err != nil || m.ServerName != "example.com" {
		t.Errorf("host_name next to an unknown type: %v", err)
	}
}
