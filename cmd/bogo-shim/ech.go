package main

import (
	"bytes"
	"errors"
	"fmt"

	"lucid/tls"
)

// Encrypted Client Hello (RFC 9849), as BoringSSL's shim drives it.
//
// BoringSSL's client sends GREASE ECH only when asked
// (SSL_set_enable_ech_grease); Lucid's client sends it by default, so the
// shim turns it off unless -enable-ech-grease, as it emulates BoringSSL's
// other defaults: the runner's tests of a client without ECH expect no
// encrypted_client_hello extension at all.
//
// A rejection of ECH ends BoringSSL's handshake with ECH_REJECTED once the
// server has proved the public name; Lucid's ends in an
// *tls.ECHRejectionError, which the shim reports under that code and
// whose retry configs it checks against -expect-ech-retry-configs. The
// chain of a server that rejected ECH is checked against the public name,
// which BoringSSL reports to its verify callback as the "name override":
// Lucid hands that chain to Config.EncryptedClientHelloRejectionVerify
// with the public name as ServerName, so the shim's verify callback runs
// there with the override and in VerifyPeerCertificate without one.

// echLimits refuses, as unimplemented, the tests that need what Lucid's
// ECH client does not do: send 0-RTT data inside an encrypted hello. A
// test that asks whether the server accepted or rejected early data
// offered with ECH would otherwise see none offered.
func echLimits(p *parsed) error {
	for _, s := range []*settings{&p.initial, &p.resume, &p.retry} {
		if !s.server && len(s.echConfigList) > 0 && s.enableEarlyData && (s.expectAcceptEarlyData || s.expectRejectEarlyData) {
			return unimplemented("-ech-config-list with -enable-early-data: Lucid's client sends no 0-RTT data inside an encrypted hello")
		}
	}
	return nil
}

// echConfig sets the ECH side of a connection's Config.
func echConfig(cfg *tls.Config, s *settings) error {
	if !s.server {
		// BoringSSL treats an empty list as none.
		if len(s.echConfigList) > 0 {
			cfg.EncryptedClientHelloConfigList = s.echConfigList
		}
		cfg.EncryptedClientHelloGREASEDisabled = !s.enableECHGrease
		return nil
	}
	if len(s.echServerConfigs) != len(s.echServerKeys) || len(s.echServerConfigs) != len(s.echIsRetryConfig) {
		return errors.New("-ech-server-config, -ech-server-key, and -ech-is-retry-config flags must match")
	}
	for i, c := range s.echServerConfigs {
		cfg.EncryptedClientHelloKeys = append(cfg.EncryptedClientHelloKeys, tls.EncryptedClientHelloKey{
			Config:      c,
			PrivateKey:  s.echServerKeys[i],
			SendAsRetry: s.echIsRetryConfig[i] != 0,
		})
	}
	return nil
}

// checkECHAccepted is -expect-ech-accept, checked, as BoringSSL does,
// after every handshake: without the flag ECH must not have been used.
func checkECHAccepted(cs tls.ConnectionState, s *settings) error {
	if cs.ECHAccepted != s.expectECHAccept {
		not := "not "
		if cs.ECHAccepted {
			not = ""
		}
		return fmt.Errorf("ECH was %saccepted, but wanted opposite", not)
	}
	return nil
}

// errECHRejected prefixes Lucid's rejection with BoringSSL's error code,
// which the runner looks for.
func errECHRejected(err error) error {
	return fmt.Errorf(":ECH_REJECTED: %w", err)
}

// checkECHRejection is -expect-ech-retry-configs and
// -expect-no-ech-retry-configs on the outcome of a connection: it must
// have failed with an ECH rejection that carries exactly those retry
// configs, or none. err is the connection's error. It returns the error
// the connection ends with: err itself, named as BoringSSL names a
// rejection, or why the expectation failed.
func checkECHRejection(err error, s *settings) error {
	var rej *tls.ECHRejectionError
	rejected := errors.As(err, &rej)
	if rejected {
		err = errECHRejected(err)
	}
	if !s.expectNoECHRetryConfigs && len(s.expectECHRetryConfigs) == 0 {
		return err
	}
	if !rejected {
		if err == nil {
			return errors.New("expected ECH rejection, but connection succeeded")
		}
		return fmt.Errorf("expected ECH rejection, but the connection failed otherwise: %w", err)
	}
	if !bytes.Equal(rej.RetryConfigList, s.expectECHRetryConfigs) {
		// Without the code, so that the runner does not take this for
		// the rejection it expects.
		return fmt.Errorf("ECH retry configs did not match expectations: got %x, want %x", rej.RetryConfigList, s.expectECHRetryConfigs)
	}
	return err
}

// checkNameOverride is what BoringSSL's verify callback checks of the name
// override: override is the public name when the server rejected ECH,
// empty otherwise.
func checkNameOverride(s *settings, override string) error {
	if s.expectNoECHNameOverride && override != "" {
		return fmt.Errorf("unexpected ECH name override %q", override)
	}
	if s.expectECHNameOverride != "" && override != s.expectECHNameOverride {
		return fmt.Errorf("ECH name %q did not match expected value %q", override, s.expectECHNameOverride)
	}
	return nil
}
