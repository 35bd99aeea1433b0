package tls

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"

	"lucid/internal/signature"
	"lucid/pki"
)

// Handshake runs the handshake if it has not run yet. Read and Write call it
// on first use.
func (c *Conn) Handshake() error {
	return c.HandshakeContext(context.Background())
}

// HandshakeContext runs the handshake, giving up when ctx is done: the
// underlying connection's deadline is moved to the past to interrupt a
// blocked read or write.
//
// When HandshakeContext returns, ctx no longer has any hold on the
// connection, so cancelling ctx afterwards (as a deferred cancel does)
// cannot disturb a connection whose handshake succeeded. If ctx ended
// while the handshake was running, the handshake fails with ctx's error
// even when its last message got through in time: the deadline moved to
// the past stays, and the connection is only good for Close.
//
// A server that accepts 0-RTT data returns once its flight is written,
// before the client's Finished: see InEarlyData.
func (c *Conn) HandshakeContext(ctx context.Context) error {
	_, err := c.handshake(ctx, nil)
	return err
}

// handshake is HandshakeContext for a client that may send early, its
// first Write's bytes, as 0-RTT data; sent is how much of early went.
// A nil ctx is context.Background.
func (c *Conn) handshake(ctx context.Context, early []byte) (sent int, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.handshakeDone.Load() || c.handshakeErr != nil {
		return 0, c.handshakeErr
	}
	release := c.watchContext(ctx)
	sent, err = c.runHandshake(early)
	err = echRejection(err)
	if err == nil && c.config.VerifyConnection != nil {
		c.handshakeDone.Store(true)
		if verr := c.config.VerifyConnection(c.connectionStateLocked()); verr != nil {
			c.handshakeDone.Store(false)
			err = c.fail(callbackError(fmt.Errorf("VerifyConnection: %w", verr), alert.BadCertificate))
		}
	}
	if release() {
		// The deadline moved under the handshake's feet; whatever the
		// handshake made of it, the caller asked to stop.
		c.handshakeDone.Store(false)
		if err == nil {
			err = fmt.Errorf("tls: handshake interrupted: %w", ctx.Err())
		} else {
			err = fmt.Errorf("tls: handshake interrupted: %w (%v)", ctx.Err(), err)
		}
	} else if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("tls: handshake interrupted: %w (%v)", ctx.Err(), err)
	}
	c.handshakeErr = err
	if err != nil {
		return 0, err
	}
	c.handshakeDone.Store(true)
	return sent, nil
}

// watchContext moves the connection's deadline to the past when ctx ends,
// until release is called. release returns only once the watcher can no
// longer touch the connection, and reports whether it did: a watcher
// that has begun is waited for, never abandoned, since a deadline set
// after the handshake returned would break a healthy connection.
func (c *Conn) watchContext(ctx context.Context) (release func() bool) {
	if ctx.Done() == nil {
		// A context that can never end (Background, as Handshake passes)
		// has nothing to watch.
		return neverFired
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		c.conn.SetDeadline(past)
	})
	return func() bool {
		if stop() {
			return false
		}
		<-fired
		return true
	}
}

func neverFired() bool { return false }

func (c *Conn) runHandshake(early []byte) (int, error) {
	hc, err := c.engineConfig()
	if err != nil {
		return 0, err
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	cc := conn.Config{Client: c.isClient, Engine: hc, RecordPadding: c.config.RecordPadding, MaxFragment: c.config.MaxFragmentSize}
	if c.observer != nil {
		cc.Observe = c.coreEvent
	}
	core := conn.New(cc)
	c.mu.Lock()
	c.core = core
	err = core.Start()
	c.mu.Unlock()
	if err != nil {
		return 0, c.ended(err)
	}
	var sent int
	if len(early) > 0 {
		// 0-RTT: the data goes in the same flight as the ClientHello.
		if sent, err = c.writeEarlyData(core, early); err != nil {
			return 0, err
		}
	}
	if err := c.flush(); err != nil {
		return 0, err
	}
	// Only this goroutine moves the handshake on, so it may ask whether it
	// is done without mu. A server that accepted early data stops once
	// its flight is out: Read takes the early data and the rest of the
	// handshake from there.
	for !core.HandshakeDone() && !core.InEarlyData() {
		if err := c.readRecord(); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				// Say so in words: a bare EOF from a handshake usually means
				// the peer disliked something and did not send an alert.
				return 0, fmt.Errorf("tls: the peer closed the connection during the handshake without an alert: %w", err)
			}
			return 0, err
		}
	}
	c.result = core.Result()
	if r := c.result.ECHRejected; r != nil {
		// RFC 9849 §6.1.6: the handshake with the public name completed,
		// and the client aborts it with ech_required.
		return 0, c.fail(r)
	}
	return sent, nil
}

// engineConfig resolves the public Config into what the engines need.
func (c *Conn) engineConfig() (*handshake.Config, error) {
	cfg := c.config
	d := cfg.engineSettings()
	lo, hi := d.lo, d.hi
	if d.rangeErr != nil {
		return nil, d.rangeErr
	}
	if c.isClient && cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		return nil, errors.New("tls: either ServerName or InsecureSkipVerify must be set in the Config")
	}
	if !c.isClient && len(cfg.Certificates) == 0 && cfg.GetCertificate == nil {
		return nil, errors.New("tls: a server needs Config.Certificates or Config.GetCertificate")
	}
	hc := &handshake.Config{
		Rand:          cfg.rand(),
		Deterministic: cfg.deterministic(),
		Now:           d.now,
		ServerName:    cfg.ServerName,
		NextProtos:    cfg.NextProtos,
		MinVersion:    lo,
		MaxVersion:    hi,
		CipherSuites:  d.suites13,
		Suites12:      d.suites12,
		Groups:        d.groups,
		Schemes:       d.schemes,
		SignSchemes:   d.sign,
		CertSchemes:   signature.DefaultCert,
		// RFC 8449; 0 sends no record_size_limit.
		RecordSizeLimit: cfg.RecordSizeLimit,
	}
	if err := c.resumptionConfig(hc); err != nil {
		return nil, err
	}
	c.clientAuthConfig(hc)
	c.earlyDataConfig(hc)
	hc.CertCompression = cfg.certCompression()
	if err := c.echConfig(hc); err != nil {
		return nil, err
	}
	if len(hc.Groups) == 0 {
		return nil, errors.New("tls: CurvePreferences names no group Lucid implements")
	}
	if len(hc.Schemes) == 0 {
		return nil, errors.New("tls: SignatureSchemes names no scheme Lucid accepts")
	}
	if cfg.KeyLogWriter != nil {
		hc.KeyLog = cfg.writeKeyLog
	}
	if c.observer != nil {
		hc.Observe = c.engineEvent
	}
	if c.isClient {
		hc.VerifyPeer = c.verifyServer
	} else {
		hc.GetCertificate = c.chooseCertificate
	}
	return hc, nil
}

// chooseCertificate picks the server's certificate: GetCertificate first,
// then the first of Certificates whose names match the SNI and whose key
// can sign with a scheme the client accepts, then the first that can sign.
func (c *Conn) chooseCertificate(h *handshake.HelloInfo) (*handshake.Certificate, error) {
	cfg := c.config
	if cfg.GetCertificate != nil {
		cert, err := cfg.GetCertificate(c.clientHelloInfo(h))
		if err != nil {
			return nil, callbackError(fmt.Errorf("GetCertificate: %w", err), alert.HandshakeFailure)
		}
		if cert != nil {
			return engineCertificate(cert)
		}
	}
	var fallback *Certificate
	var unsuited error
	for i := range cfg.Certificates {
		cert := &cfg.Certificates[i]
		if err := c.certificateSuits(cert, h); err != nil {
			unsuited = err
			continue
		}
		if fallback == nil {
			fallback = cert
		}
		if h.ServerName == "" || certificateMatches(cert, h.ServerName) {
			return engineCertificate(cert)
		}
	}
	if fallback != nil {
		return engineCertificate(fallback)
	}
	if unsuited != nil {
		// The reason the last certificate was passed over: with one
		// certificate, which is the common case, it is the whole story.
		return nil, &alert.Error{Desc: alert.HandshakeFailure, Err: fmt.Errorf("no server certificate suits the client: %w", unsuited)}
	}
	return nil, alert.New(alert.HandshakeFailure, "no server certificate configured")
}

// clientHelloInfo is what a server's callbacks learn of a hello. The
// engine's HelloInfo lives in the handshake's memory, which goes to
// another handshake once this one is done (Engine.ReleaseHandshake), and
// a callback may keep what it is given: the info holds a copy.
func (c *Conn) clientHelloInfo(engineHello *handshake.HelloInfo) *ClientHelloInfo {
	h := new(handshake.HelloInfo)
	*h = *engineHello
	info := &ClientHelloInfo{
		CipherSuites:           h.CipherSuites,
		ServerName:             h.ServerName,
		SupportedProtos:        h.ALPN,
		SupportedVersions:      h.SupportedVersions,
		CertificateAuthorities: h.CertificateAuthorities,
		conn:                   c,
		hello:                  h,
	}
	for _, g := range h.SupportedGroups {
		info.SupportedCurves = append(info.SupportedCurves, CurveID(g))
	}
	for _, s := range h.SignatureSchemes {
		info.SignatureSchemes = append(info.SignatureSchemes, SignatureScheme(s))
	}
	return info
}

// certificateSuits says why the server cannot use cert for the hello h, or
// nil if it can: its key must sign with a scheme the client accepts and, in
// TLS 1.2, fit a suite both sides have, on a curve the client listed.
func (c *Conn) certificateSuits(cert *Certificate, h *handshake.HelloInfo) error {
	signer, ok := cert.PrivateKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("tls: certificate's private key (%T) cannot sign", cert.PrivateKey)
	}
	ours := certSchemes(cert, h.Version == VersionTLS12)
	if h.Version == VersionTLS12 {
		d := c.config.engineSettings()
		if !handshake.Serves12(signer.Public(), ours, d.suites12, d.groups, h) {
			return errors.New("tls: certificate's key serves no TLS 1.2 suite the client offers")
		}
		return nil
	}
	peer := make([]signature.Scheme, len(h.SignatureSchemes))
	for i, s := range h.SignatureSchemes {
		peer[i] = signature.Scheme(s)
	}
	if _, ok := signature.Choose(signer.Public(), h.Version, ours, peer); !ok {
		return errors.New("tls: certificate's key signs with no scheme the client accepts")
	}
	return nil
}

// certSchemes is what cert's key may sign with: Lucid's schemes, narrowed
// to cert.SupportedSignatureAlgorithms when that is set.
func certSchemes(cert *Certificate, tls12 bool) []signature.Scheme {
	all := schemes(tls12)
	if len(cert.SupportedSignatureAlgorithms) == 0 {
		return all
	}
	var out []signature.Scheme
	for _, s := range all {
		if slices.Contains(cert.SupportedSignatureAlgorithms, SignatureScheme(s)) {
			out = append(out, s)
		}
	}
	return out
}

// certificateMatches reports whether cert is valid for the client's
// server_name by the rule the client verifies it with (pki.MatchesHost),
// so that the server never prefers a certificate its client will refuse
// for the name.
func certificateMatches(cert *Certificate, name string) bool {
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cert.Certificate[0])
	}
	return pki.MatchesHost(leaf, name)
}

func engineCertificate(cert *Certificate) (*handshake.Certificate, error) {
	signer, ok := cert.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, alert.New(alert.InternalError, "certificate's private key (%T) cannot sign", cert.PrivateKey)
	}
	hc := &handshake.Certificate{
		Chain:      cert.Certificate,
		Key:        signer,
		OCSPStaple: cert.OCSPStaple,
		SCTs:       cert.SignedCertificateTimestamps,
	}
	for _, s := range cert.SupportedSignatureAlgorithms {
		hc.Schemes = append(hc.Schemes, signature.Scheme(s))
	}
	return hc, nil
}
