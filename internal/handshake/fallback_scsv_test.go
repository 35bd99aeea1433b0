package handshake_test

import (
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/version"
)

// TestFallbackSCSV: RFC 7507 §3. A ClientHello carrying TLS_FALLBACK_SCSV
// whose best version is below the server's best is a downgrade; one whose
// best version matches is an ordinary handshake (BoGo FallbackSCSV*).
func TestFallbackSCSV(t *testing.T) {
	const scsv = 0x5600
	scfg := serverConfig(t, "ecdsa-p256")
	scfg.MinVersion, scfg.MaxVersion = version.TLS12, version.TLS13

	ch := clientHelloFrom(t, clientConfig())
	ch.CipherSuites = append(ch.CipherSuites, scsv)
	ch.SupportedVersions = []uint16{0x0a0a, version.TLS12} // GREASE does not count
	wantAlert(t, serverAnswer(t, scfg, ch.Marshal()), alert.InappropriateFallback)

	// RFC 8446 §4.2.1: without supported_versions the hello is TLS 1.2
	// at most, even with legacy_version 0x0304 (tlsfuzzer's
	// test-fallback-scsv).
	ch = clientHelloFrom(t, clientConfig())
	ch.CipherSuites = append(ch.CipherSuites, scsv)
	ch.SupportedVersions, ch.LegacyVersion = nil, version.TLS13
	wantAlert(t, serverAnswer(t, scfg, ch.Marshal()), alert.InappropriateFallback)

	ch = clientHelloFrom(t, clientConfig())
	ch.CipherSuites = append(ch.CipherSuites, scsv)
	ch.SupportedVersions = []uint16{0x0a0a, version.TLS13}
	if _, err := handshake.NewServer(scfg).Handle(ch.Marshal()); err != nil {
		t.Errorf("TLS_FALLBACK_SCSV at the server's best version was refused: %v", err)
	}
}
