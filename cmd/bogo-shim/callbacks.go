package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lucid/tls"
)

// BoringSSL's shim installs callbacks that the flags steer. A server's
// early callback (SSL_CTX_set_select_certificate_cb), certificate callback
// (SSL_set_cert_cb) and legacy OCSP callback all run once it has read the
// ClientHello and before it picks a credential, which is where Lucid calls
// GetCertificate; a client's certificate callback runs on a
// CertificateRequest, where Lucid calls GetClientCertificate. The errors
// carry BoringSSL's codes and alerts.
var (
	errEarlyCallback      = fmt.Errorf(":CONNECTION_REJECTED: -fail-early-callback rejected the ClientHello (%w)", tls.AlertHandshakeFailure)
	errCertCallback       = fmt.Errorf(":CERT_CB_ERROR: -fail-cert-callback failed the certificate callback (%w)", tls.AlertInternalError)
	errServerOCSPCallback = fmt.Errorf(":OCSP_CB_ERROR: -fail-ocsp-callback failed the OCSP callback (%w)", tls.AlertInternalError)
	errNoCertificate      = errors.New("no certificate configured")
	errNoMatchingIssuer   = fmt.Errorf(":NO_MATCHING_ISSUER: no credential suits the ClientHello and its certificate_authorities (%w)", tls.AlertHandshakeFailure)
)

// serverHook is a server's GetCertificate: the early callback, which may
// fail (-fail-early-callback); the certificate callback, which checks the
// client's signature_algorithms (-expect-peer-verify-pref) and may fail;
// and the OCSP callback, which fails (-use-ocsp-callback
// -fail-ocsp-callback) only when the client asked for a staple. Then Lucid
// chooses among Config.Certificates, except under -use-early-callback,
// whose early callback installs the certificate: that is certs, a single
// one, returned from here. Lucid calls GetCertificate only when it needs a
// certificate, so on a resumption none of this runs, where BoringSSL's
// callbacks do; the runner's tests fail or check these callbacks on full
// handshakes only.
func serverHook(s *settings, o *observed, certs []tls.Certificate, mustMatch []bool) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return func(info *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if s.failEarlyCallback {
			return nil, errEarlyCallback
		}
		if err := checkPeerVerifyPrefs(info.SignatureSchemes, s.expectPeerVerifyPrefs); err != nil {
			return nil, err
		}
		if s.failCertCallback {
			return nil, errCertCallback
		}
		if s.useOCSPCallback && s.failOCSPCallback && o.offeredStatus.Load() {
			return nil, errServerOCSPCallback
		}
		switch {
		case len(certs) == 0:
			return nil, errNoCertificate
		case s.useEarlyCallback:
			return &certs[0], nil
		case slices.Contains(mustMatch, true):
			return matchingIssuer(info, certs, mustMatch)
		}
		return nil, nil
	}
}

// matchingIssuer is BoringSSL's server choice when a credential demands
// that the client trust its issuer (-must-match-issuer): the first
// credential the ClientHello could use, skipping those whose chain names
// no authority from the client's certificate_authorities.
func matchingIssuer(info *tls.ClientHelloInfo, certs []tls.Certificate, mustMatch []bool) (*tls.Certificate, error) {
	for i := range certs {
		if mustMatch[i] && !chainHasIssuer(certs[i].Certificate, info.CertificateAuthorities) {
			continue
		}
		if info.SupportsCertificate(&certs[i]) != nil {
			continue
		}
		return &certs[i], nil
	}
	return nil, errNoMatchingIssuer
}

// clientHook is a client's GetClientCertificate: the certificate callback
// checks the request against the -expect flags and may fail
// (-fail-cert-callback); then the shim picks a credential.
func clientHook(s *settings, o *observed, creds []loadedCred) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		if err := checkCertificateRequest(info, s); err != nil {
			return nil, err
		}
		if s.failCertCallback {
			return nil, errCertCallback
		}
		return clientCertificate(creds, info, &o.selected)
	}
}

// checkPeerVerifyPrefs is -expect-peer-verify-pref: the peer's
// signature_algorithms, in order, when the flag is given.
func checkPeerVerifyPrefs(got []tls.SignatureScheme, want []int) error {
	if len(want) == 0 {
		return nil
	}
	ids := make([]int, len(got))
	for i, s := range got {
		ids[i] = int(s)
	}
	if !slices.Equal(ids, want) {
		return fmt.Errorf("peer verify preferences %04x, want %04x", ids, want)
	}
	return nil
}

// checkCertificateRequest is what BoringSSL's client checks of a
// CertificateRequest: the signature schemes, the TLS 1.2 certificate types
// (-expect-certificate-types) and the authorities
// (-expect-client-ca-list, DER names in hex, separated by commas).
func checkCertificateRequest(info *tls.CertificateRequestInfo, s *settings) error {
	if err := checkPeerVerifyPrefs(info.SignatureSchemes, s.expectPeerVerifyPrefs); err != nil {
		return err
	}
	if len(s.expectCertificateTypes) > 0 && !bytes.Equal(info.CertificateTypes, s.expectCertificateTypes) {
		return fmt.Errorf("certificate types mismatch: got %x, want %x", info.CertificateTypes, s.expectCertificateTypes)
	}
	if s.expectClientCAList == "" {
		return nil
	}
	want, err := hexList(s.expectClientCAList)
	if err != nil {
		return fmt.Errorf("-expect-client-ca-list: %w", err)
	}
	if !slices.EqualFunc(info.AcceptableCAs, want, bytes.Equal) {
		return fmt.Errorf("CertificateRequest names %x, want %x", info.AcceptableCAs, want)
	}
	return nil
}

// hexList decodes the runner's list of DER values: hex, separated by
// commas.
func hexList(list string) ([][]byte, error) {
	var out [][]byte
	for _, h := range strings.Split(list, ",") {
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
