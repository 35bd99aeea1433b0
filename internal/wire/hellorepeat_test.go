package wire

import (
	"bytes"
	"errors"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/rfc8448"
)

// The second ClientHello of RFC 8448 §5 repeats the first, with a new
// key_share and a cookie.
func TestCheckRepeatedHelloRFC8448(t *testing.T) {
	first := splitMessage(t, unhex(t, rfc8448.HRRClientHello1), TypeClientHello)
	second := splitMessage(t, unhex(t, rfc8448.HRRClientHello2), TypeClientHello)
	if err := CheckRepeatedHello(first, second); err != nil {
		t.Fatalf("RFC 8448's second ClientHello: %v", err)
	}
	ch, err := ParseClientHello(second)
	if err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(m *ClientHello){
		"random":      func(m *ClientHello) { m.Random[0] ^= 1 },
		"suites":      func(m *ClientHello) { m.CipherSuites = m.CipherSuites[1:] },
		"server_name": func(m *ClientHello) { m.ServerName = "other" },
		"dropped":     func(m *ClientHello) { m.SignatureSchemesCert, m.ALPN = nil, nil; m.Extensions = nil },
	} {
		m := *ch
		m.CipherSuites = append([]uint16(nil), ch.CipherSuites...)
		mut(&m)
		err := CheckRepeatedHello(first, m.Marshal()[HeaderLen:])
		var ae *alert.Error
		if !errors.As(err, &ae) || ae.Desc != alert.IllegalParameter {
			t.Errorf("%s changed: %v, want illegal_parameter", name, err)
		}
	}
}

// FuzzCheckRepeatedHello: any pair of bodies gives nil or an alert, never a
// panic, and a body that parses as a ClientHello repeats itself.
func FuzzCheckRepeatedHello(f *testing.F) {
	first := splitMessage(f, unhex(f, rfc8448.HRRClientHello1), TypeClientHello)
	second := splitMessage(f, unhex(f, rfc8448.HRRClientHello2), TypeClientHello)
	f.Add(first, second)
	f.Add(second, first)
	f.Add(first, first[:len(first)-3])
	f.Add([]byte{}, second)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		err := CheckRepeatedHello(a, b)
		var ae *alert.Error
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("error without an alert: %v", err)
		}
		if _, perr := ParseClientHello(a); perr == nil {
			if err := CheckRepeatedHello(a, bytes.Clone(a)); err != nil {
				t.Fatalf("a ClientHello does not repeat itself: %v", err)
			}
		}
	})
}
