package tls

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/wire"
	"lucid/pki"
)

// EncryptedClientHelloKey is one of a server's Encrypted Client Hello keys
// (RFC 9849), as in crypto/tls: a server keeps several while it rotates
// them, so that clients holding an older config still connect.
type EncryptedClientHelloKey struct {
	// Config is one encoded ECHConfig: what clients encrypt to, published
	// (inside an ECHConfigList) in DNS or given to them otherwise.
	Config []byte
	// PrivateKey is the raw KEM private key for Config's public key, as
	// RFC 9180's SerializePrivateKey writes it (32 bytes for X25519).
	PrivateKey []byte
	// SendAsRetry puts Config in the retry configs a server sends to a
	// client whose encrypted hello no key opens (RFC 9849 §7.1), which
	// that client then retries with. Set it on the current keys, not on
	// ones kept only for clients with stale configs.
	SendAsRetry bool
}

// ECHRejectionError is the error of a client handshake whose server did not
// accept Encrypted Client Hello, as in crypto/tls. The server proved it
// holds a certificate for the config's public name, and nothing else: the
// connection is closed with an ech_required alert (RFC 9849 §6.1.6).
// RetryConfigList is the ECHConfigList the server sent to retry with, on a
// new connection, once; empty if it sent none, which means the server
// has turned ECH off and the caller may connect without it.
type ECHRejectionError struct {
	RetryConfigList []byte
	err             error
}

func (e *ECHRejectionError) Error() string {
	if len(e.RetryConfigList) == 0 {
		return "tls: server rejected ECH and sent no retry configs"
	}
	return "tls: server rejected ECH; retry with the configs it sent"
}

// Unwrap returns the connection's error, which names the ech_required
// alert.
func (e *ECHRejectionError) Unwrap() error { return e.err }

// AlertECHRequired is the alert a client sends when the server did not use
// its encrypted hello (RFC 9849 §11.2).
const AlertECHRequired = AlertError(alert.ECHRequired)

// HPKE identifiers of the keys GenerateEncryptedClientHelloKey makes (RFC
// 9180 §7): DHKEM(X25519, HKDF-SHA256), with HKDF-SHA256 and AES-128-GCM
// or ChaCha20-Poly1305.
const (
	echKEMX25519        = 0x0020
	echKDFHKDFSHA256    = 0x0001
	echAEADAES128GCM    = 0x0001
	echAEADChaCha20Poly = 0x0003
)

// echMaxNameLength is the maximum_name_length of generated configs: the
// names a public name fronts are not known when the key is made, so the
// padding hides names up to this length (RFC 9849 §4, §6.1.3); longer
// ones still work, their length rounded to 32 bytes.
const echMaxNameLength = 64

// GenerateEncryptedClientHelloKey makes a new X25519 ECH key whose config
// names publicName, the host a client's outer hello shows, and carries
// configID, which should differ from the IDs of the server's other keys
// (RFC 9849 §4.1). The key has SendAsRetry set. A Lucid addition.
func GenerateEncryptedClientHelloKey(publicName string, configID uint8) (EncryptedClientHelloKey, error) {
	if !handshake.ValidPublicName(publicName) {
		return EncryptedClientHelloKey{}, fmt.Errorf("tls: ECH public name %q is not a DNS host name (RFC 9849 §6.1.7)", publicName)
	}
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return EncryptedClientHelloKey{}, err
	}
	c := wire.ECHConfig{
		ConfigID:   configID,
		KEM:        echKEMX25519,
		PublicKey:  priv.PublicKey().Bytes(),
		Suites:     []wire.ECHSuite{{KDF: echKDFHKDFSHA256, AEAD: echAEADAES128GCM}, {KDF: echKDFHKDFSHA256, AEAD: echAEADChaCha20Poly}},
		MaxNameLen: echMaxNameLength,
		PublicName: publicName,
	}
	raw, err := c.Marshal()
	if err != nil {
		return EncryptedClientHelloKey{}, fmt.Errorf("tls: %w", err)
	}
	return EncryptedClientHelloKey{Config: raw, PrivateKey: priv.Bytes(), SendAsRetry: true}, nil
}

// MarshalECHConfigList joins encoded ECHConfigs, most preferred first, into
// the ECHConfigList that Config.EncryptedClientHelloConfigList takes and a
// DNS HTTPS record's ech parameter carries (base64-encoded there). A Lucid
// addition.
func MarshalECHConfigList(configs ...[]byte) ([]byte, error) {
	for i, c := range configs {
		if _, err := wire.ParseECHConfig(c); err != nil {
			return nil, fmt.Errorf("tls: config %d: %w", i, err)
		}
	}
	list, err := wire.MarshalECHConfigList(configs...)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return list, nil
}

// echConfig fills the engine's ECH settings: the client's config list or
// GREASE, the server's keys.
func (c *Conn) echConfig(hc *handshake.Config) error {
	cfg := c.config
	if c.isClient {
		if cfg.EncryptedClientHelloConfigList != nil {
			if len(cfg.EncryptedClientHelloConfigList) == 0 {
				return errors.New("tls: EncryptedClientHelloConfigList is empty")
			}
			hc.ECHConfigList = cfg.EncryptedClientHelloConfigList
			return nil
		}
		hc.ECHGrease = !cfg.EncryptedClientHelloGREASEDisabled
		return nil
	}
	if len(cfg.EncryptedClientHelloKeys) > 0 || cfg.GetEncryptedClientHelloKeys != nil {
		hc.ECHKeys = c.echKeys
	}
	return nil
}

// echKeys turns the server's configured keys into the engine's, for a hello
// that carries an encrypted one.
func (c *Conn) echKeys(h *handshake.HelloInfo) ([]handshake.ECHKey, error) {
	cfg := c.config
	list := cfg.EncryptedClientHelloKeys
	if cfg.GetEncryptedClientHelloKeys != nil {
		var err error
		list, err = cfg.GetEncryptedClientHelloKeys(c.clientHelloInfo(h))
		if err != nil {
			return nil, callbackError(fmt.Errorf("GetEncryptedClientHelloKeys: %w", err), alert.InternalError)
		}
	}
	out := make([]handshake.ECHKey, 0, len(list))
	for i, k := range list {
		config, err := wire.ParseECHConfig(k.Config)
		if err != nil {
			return nil, alert.New(alert.InternalError, "ECH key %d: %v", i, err)
		}
		kem, err := hpke.NewKEM(config.KEM)
		if err != nil {
			return nil, alert.New(alert.InternalError, "ECH key %d: %v", i, err)
		}
		priv, err := kem.NewPrivateKey(k.PrivateKey)
		if err != nil {
			return nil, alert.New(alert.InternalError, "ECH key %d: %v", i, err)
		}
		out = append(out, handshake.ECHKey{Config: config, Key: priv, SendAsRetry: k.SendAsRetry})
	}
	return out, nil
}

// echRejection turns the engine's rejection into the public error.
func echRejection(err error) error {
	if err == nil {
		return nil
	}
	var r *handshake.ECHRejectedError
	if !errors.As(err, &r) {
		return err
	}
	return &ECHRejectionError{RetryConfigList: r.RetryConfigs, err: err}
}

// verifyPublicName checks the certificate of a server that rejected ECH
// against the config's public name (RFC 9849 §6.1.7), or hands it to
// EncryptedClientHelloRejectionVerify. Either way the handshake then ends
// in an ECHRejectionError: this only decides whether the retry configs
// can be trusted.
func (c *Conn) verifyPublicName(pc handshake.PeerChain) (*handshake.Verification, error) {
	cfg := c.config
	if cfg.EncryptedClientHelloRejectionVerify == nil {
		return c.verifyPeer(pc, !cfg.InsecureSkipVerify, pki.VerifyOptions{
			Roots:     cfg.RootCAs,
			DNSName:   pc.PublicName,
			KeyUsages: serverAuth,
		})
	}
	v := &handshake.Verification{}
	for i, der := range pc.DER {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, alert.New(alert.DecodeError, "certificate %d from the peer could not be parsed: %v", i, err)
		}
		v.Certs = append(v.Certs, cert)
	}
	if err := cfg.EncryptedClientHelloRejectionVerify(ConnectionState{Version: VersionTLS13, ServerName: pc.PublicName, PeerCertificates: v.Certs}); err != nil {
		return nil, callbackError(fmt.Errorf("EncryptedClientHelloRejectionVerify: %w", err), alert.BadCertificate)
	}
	return v, nil
}

// echDescription says what a hello's encrypted_client_hello carries, for
// events: the inner marker, or the outer extension's public values.
func echDescription(e *wire.ECHClientHello) string {
	if e.Inner {
		return "inner"
	}
	return fmt.Sprintf("outer: config id %d, KDF 0x%04x, AEAD 0x%04x, %d-byte enc, %d-byte encrypted payload", e.ConfigID, e.Suite.KDF, e.Suite.AEAD, len(e.Enc), len(e.Payload))
}
