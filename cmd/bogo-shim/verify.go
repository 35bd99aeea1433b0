package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"lucid/tls"
)

// verifyFailure is the rejection -verify-fail asks the verification
// callback for, with the alert BoringSSL sends for it: handshake_failure
// for X509_V_ERR_APPLICATION_VERIFICATION from the default callback,
// certificate_unknown from a custom one (SSL_set_custom_verify).
func verifyFailure(custom bool) error {
	a := tls.AlertHandshakeFailure
	if custom {
		a = tls.AlertCertificateUnknown
	}
	return fmt.Errorf(":CERTIFICATE_VERIFY_FAILED: -verify-fail rejected the peer's chain (%w)", a)
}

// errClientOCSPCallback is the failure -fail-ocsp-callback asks of a
// client's OCSP callback, with BoringSSL's alert for a callback that
// returns 0: bad_certificate_status_response (113, RFC 6066 §8), for which
// lucid/tls has no named constant.
var errClientOCSPCallback = fmt.Errorf(":OCSP_CB_ERROR: -fail-ocsp-callback rejected the server's OCSP status (%w)", tls.AlertError(113))

// verification installs BoringSSL's certificate verification callback as
// the shim configures it: it accepts every chain (the client already skips
// Lucid's own checks), unless -verify-fail, when it rejects it. A rejection
// ends the handshake only in SSL_VERIFY_PEER mode (-verify-peer, or
// -require-any-client-certificate on a server); otherwise it is only
// recorded, for -expect-verify-result. The callback runs on the chain the
// peer sends in a full handshake and, on a client with -reverify-on-resume,
// again after a resumption, against the session's chain; a session is
// otherwise resumed without it. After a chain passes, a client with OCSP
// stapling enabled runs the legacy OCSP callback (-use-ocsp-callback), as
// BoringSSL does once the server's certificate is verified; it fails the
// handshake under -fail-ocsp-callback, whether or not a staple came.
//
// Lucid calls VerifyPeerCertificate for two chains: the one the peer's
// Certificate message carries, and, before resuming a session, the one the
// session recorded, when a rejection declines the session instead. Only the
// first is BoringSSL's callback. The peer's Certificate message always
// arrives before its chain is checked and never before a session is
// weighed (a client weighs its session before sending the ClientHello, a
// server when the ClientHello comes), so the connection's events tell the
// two apart: a call before the peer's Certificate is a session's.
//
// A client that sent early data and had it rejected goes on, in
// BoringSSL's shim, under the -on-retry flags, and verifies again under
// them: the server's chain of a full handshake (BoringSSL stops at the
// ServerHello that rejects the session, before the Certificate), and,
// with -reverify-on-resume, the session's chain once more after the
// verification it ran before sending early data. o.retry holds those
// flags on such a connection.
func (sh *shim) verification(cfg *tls.Config, s *settings, o *observed) {
	callback := func(s *settings, nameOverride string) error {
		// BoringSSL's check fails the handshake whatever the mode.
		if err := checkNameOverride(s, nameOverride); err != nil {
			return err
		}
		o.verifyRan.Store(true)
		if !s.verifyFail {
			return nil
		}
		o.verifyFailed.Store(true)
		if s.verifyPeer || (s.server && s.requireAnyClientCert) {
			return verifyFailure(s.customVerify)
		}
		return nil
	}
	// The flags the peer's chain is verified under.
	chainSettings := s
	if o.retry != nil {
		chainSettings = o.retry
	}
	ocspFails := !s.server && s.enableOCSP && s.useOCSPCallback && s.failOCSPCallback
	// Lucid calls VerifyPeerCertificate when a chain arrives, so a
	// rejection stops the handshake where BoringSSL's would.
	peerChain := func(nameOverride string) error {
		if err := callback(chainSettings, nameOverride); err != nil {
			return err
		}
		if ocspFails {
			return errClientOCSPCallback
		}
		return nil
	}
	cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
		if !o.peerCertificate.Load() {
			// A session's chain: BoringSSL resumes without the
			// callback or the OCSP one, so the session stands or falls
			// by Lucid's own checks.
			return nil
		}
		return peerChain("")
	}
	if !s.server {
		// The chain of a server that rejected ECH, which Lucid checks
		// here in place of VerifyPeerCertificate, against the public
		// name: BoringSSL's name override (ech.go).
		cfg.EncryptedClientHelloRejectionVerify = func(cs tls.ConnectionState) error {
			return peerChain(cs.ServerName)
		}
	}
	if s.server || !s.reverifyOnResume {
		return
	}
	// A resumption brings no chain; VerifyConnection runs after every
	// handshake, resumed or not.
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if !cs.DidResume {
			return nil
		}
		// A resumption that completes used the server's answer to
		// the hello it encrypted, if any: no name override.
		if err := callback(s, ""); err != nil {
			return err
		}
		if o.retry != nil && cs.EarlyData.Offered && !cs.EarlyData.Accepted {
			return callback(o.retry, "")
		}
		return nil
	}
}

// checkVerifyResult is -expect-verify-result: the verification result must
// be a failure exactly when -verify-fail is set. A resumption that ran no
// callback reports the result of the handshake that made the session, as
// SSL_get_verify_result does; a connection without a peer chain reports
// success.
func (sh *shim) checkVerifyResult(cs tls.ConnectionState, s *settings, o *observed) error {
	if !cs.DidResume && len(cs.PeerCertificates) > 0 && !o.verifyRan.Load() {
		// Were the events to stop preceding the chain's check, every
		// chain would pass as a session's; say so instead.
		return errors.New("shim: the peer's chain was checked without the verification callback, which waits for the peer's Certificate event")
	}
	failed := o.verifyFailed.Load()
	if cs.DidResume && !o.verifyRan.Load() {
		failed = sh.sessionVerifyFailed
	}
	if !cs.DidResume {
		sh.sessionVerifyFailed = failed
	}
	if s.expectVerifyResult && failed != s.verifyFail {
		return fmt.Errorf("wrong certificate verification result: failed=%v, want %v", failed, s.verifyFail)
	}
	return nil
}

// checkPeerChain is -expect-peer-cert-file: the peer's chain, leaf first,
// must be the file's. (BoringSSL's server reports the chain without the
// leaf and checks the leaf apart; Lucid reports the whole chain on both
// sides, so one comparison covers both.)
func checkPeerChain(got []*x509.Certificate, file string) error {
	pemData, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	want, err := pemCertificates(pemData)
	if err != nil {
		return fmt.Errorf("-expect-peer-cert-file: %w", err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("received a chain of %d certificates, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, want[i]) {
			return fmt.Errorf("peer certificate %d differs from %s", i, file)
		}
	}
	return nil
}

// pemCertificates returns the DER of every CERTIFICATE block, in order.
func pemCertificates(data []byte) ([][]byte, error) {
	var out [][]byte
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, block.Bytes)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate found")
	}
	return out, nil
}
