package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"sync"

	"lucid/tls"
)

// Certificate compression. BoringSSL's runner tests RFC 8879 with three
// toy algorithms of its own, which its shim installs with
// -install-cert-compression-algs (all of them) or
// -install-one-cert-compression-alg ID. The shim registers the same three
// with tls.RegisterCertCompression and lists the installed ones in
// Config.CertCompression, in the order BoringSSL's shim installs them,
// which is the server's order of preference.
const (
	// shrinkingAlg drops the two zero bytes every Certificate body with
	// an empty request context starts with.
	shrinkingAlg tls.CertCompressionAlgorithm = 0xff01
	// expandingAlg puts four fixed bytes in front.
	expandingAlg tls.CertCompressionAlgorithm = 0xff02
	// randomAlg puts one random byte in front, so two compressions of
	// one chain differ.
	randomAlg tls.CertCompressionAlgorithm = 0xff03
)

// installOrder is BoringSSL's shim's order of installation.
var installOrder = []tls.CertCompressionAlgorithm{expandingAlg, shrinkingAlg, randomAlg}

var (
	shrinkingPrefix = []byte{0, 0}
	expandingPrefix = []byte{1, 2, 3, 4}
)

var toyCodecs = map[tls.CertCompressionAlgorithm]tls.CertCompressionCodec{
	shrinkingAlg: {
		Compress: func(b []byte) ([]byte, error) {
			if !bytes.HasPrefix(b, shrinkingPrefix) {
				return nil, errors.New("the Certificate body does not start with two zero bytes")
			}
			return bytes.Clone(b[len(shrinkingPrefix):]), nil
		},
		Decompress: func(dst, c []byte) error {
			if len(dst) != len(shrinkingPrefix)+len(c) {
				return errors.New("shrinking: length mismatch")
			}
			copy(dst, shrinkingPrefix)
			copy(dst[len(shrinkingPrefix):], c)
			return nil
		},
	},
	expandingAlg: {
		Compress: func(b []byte) ([]byte, error) {
			return append(bytes.Clone(expandingPrefix), b...), nil
		},
		Decompress: func(dst, c []byte) error {
			if !bytes.HasPrefix(c, expandingPrefix) || len(c)-len(expandingPrefix) != len(dst) {
				return errors.New("expanding: bad prefix or length mismatch")
			}
			copy(dst, c[len(expandingPrefix):])
			return nil
		},
	},
	randomAlg: {
		Compress: func(b []byte) ([]byte, error) {
			out := make([]byte, 1+len(b))
			if _, err := rand.Read(out[:1]); err != nil {
				return nil, err
			}
			copy(out[1:], b)
			return out, nil
		},
		Decompress: func(dst, c []byte) error {
			if len(c) != 1+len(dst) {
				return errors.New("random: length mismatch")
			}
			copy(dst, c[1:])
			return nil
		},
	},
}

// registerToyCodecs registers the three once per process.
var registerToyCodecs = sync.OnceValue(func() error {
	for _, alg := range installOrder {
		if err := tls.RegisterCertCompression(alg, toyCodecs[alg]); err != nil {
			return err
		}
	}
	return nil
})

// certCompression sets cfg.CertCompression from the install flags; with
// neither, Lucid's default list stays.
func certCompression(cfg *tls.Config, s *settings) error {
	if !s.installCertCompAlgs && s.installOneCertCompAlg == 0 {
		return nil
	}
	if err := registerToyCodecs(); err != nil {
		return err
	}
	cfg.CertCompression = nil
	for _, alg := range installOrder {
		if s.installCertCompAlgs || int(alg) == s.installOneCertCompAlg {
			cfg.CertCompression = append(cfg.CertCompression, alg)
		}
	}
	if cfg.CertCompression == nil {
		return unimplemented("-install-one-cert-compression-alg %d: not one of the runner's algorithms", s.installOneCertCompAlg)
	}
	return nil
}
