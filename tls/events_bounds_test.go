package tls

import (
	"strings"
	"testing"

	"lucid/internal/wire"
)

// An event describes at most maxListed entries of any list a peer sends,
// and says how many more there were.
func TestEventListsAreBounded(t *testing.T) {
	ch := &wire.ClientHello{LegacyVersion: 0x0303, CompressionMethods: []uint8{0}}
	for i := range 5000 {
		ch.CipherSuites = append(ch.CipherSuites, uint16(0x7000+i))
		ch.SupportedGroups = append(ch.SupportedGroups, uint16(0x3000+i))
		ch.KeyShares = append(ch.KeyShares, wire.KeyShare{Group: uint16(0x3000 + i), Data: []byte{1}})
		ch.ALPN = append(ch.ALPN, "p")
		ch.CertCompressionAlgorithms = append(ch.CertCompressionAlgorithms, uint16(0x4000+i))
	}
	ch.Extensions = []uint16{10, 16, 51}
	seen := map[string]bool{}
	for _, f := range describeMessage(ch) {
		seen[f.Key] = true
		list, ok := f.Value.([]string)
		if !ok {
			continue
		}
		if len(list) > maxListed+1 {
			t.Errorf("%s lists %d entries", f.Key, len(list))
		}
		switch f.Key {
		case "cipher_suites", "supported_groups", "key_shares", "alpn", "compress_certificate":
			if last := list[len(list)-1]; !strings.Contains(last, "4936 more") {
				t.Errorf("%s ends with %q, want a count of what was left out", f.Key, last)
			}
		}
	}
	for _, k := range []string{"cipher_suites", "supported_groups", "key_shares", "alpn", "compress_certificate"} {
		if !seen[k] {
			t.Errorf("the event does not list %s", k)
		}
	}
}
