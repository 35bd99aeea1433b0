package handshake_test

import (
	"strings"
	"testing"

	"lucid/internal/handshake"
)

// A client uses an ECHConfig only if its public_name is a host name in
// preferred name syntax whose last label cannot read as an IPv4 number
// (RFC 9849 §6.1.7).
func TestValidPublicName(t *testing.T) {
	for name, want := range map[string]bool{
		"public.example":                     true,
		"a-b.example":                        true,
		"xn--bcher-kva.test":                 true,
		"example.123a":                       true,
		"localhost":                          true,
		"":                                   false,
		".example":                           false,
		"example.":                           false,
		"a..example":                         false,
		"under_score.example":                false,
		"-lead.example":                      false,
		"trail-.example":                     false,
		"sp ace.example":                     false,
		"example.123":                        false,
		"1.2.3.4":                            false,
		"example.0x":                         false,
		"example.0x1F":                       false,
		"example.0xg":                        true,
		strings.Repeat("a", 64) + ".example": false,
		strings.Repeat("a", 63) + ".example": true,
	} {
		if got := handshake.ValidPublicName(name); got != want {
			t.Errorf("ValidPublicName(%q) = %v, want %v", name, got, want)
		}
	}
}
