package main

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"lucid/tls"
)

func TestCertCompressionFlags(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     settings
		want  []tls.CertCompressionAlgorithm
		unimp bool
	}{
		{"none", settings{}, nil, false},
		{"all", settings{installCertCompAlgs: true}, []tls.CertCompressionAlgorithm{expandingAlg, shrinkingAlg, randomAlg}, false},
		{"one", settings{installOneCertCompAlg: int(shrinkingAlg)}, []tls.CertCompressionAlgorithm{shrinkingAlg}, false},
		{"unknown one", settings{installOneCertCompAlg: 7}, nil, true},
	} {
		cfg := &tls.Config{}
		err := certCompression(cfg, &tc.s)
		var u *unimplementedError
		if tc.unimp != errors.As(err, &u) || (!tc.unimp && err != nil) {
			t.Errorf("%s: error %v", tc.name, err)
			continue
		}
		if !tc.unimp && !slices.Equal(cfg.CertCompression, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, cfg.CertCompression, tc.want)
		}
	}
}

// Each toy codec undoes itself and refuses a declared length it cannot
// produce, as the runner's do.
func TestToyCodecs(t *testing.T) {
	body := []byte{0, 0, 0, 0, 5, 'c', 'h', 'a', 'i', 'n'}
	for alg, c := range toyCodecs {
		comp, err := c.Compress(body)
		if err != nil {
			t.Fatalf("%v: %v", alg, err)
		}
		dst := make([]byte, len(body))
		if err := c.Decompress(dst, comp); err != nil || !bytes.Equal(dst, body) {
			t.Errorf("%v: round trip gave %x, %v", alg, dst, err)
		}
		if err := c.Decompress(make([]byte, len(body)+1), comp); err == nil {
			t.Errorf("%v: accepted a longer declared length", alg)
		}
	}
	if _, err := toyCodecs[shrinkingAlg].Compress([]byte{1, 0, 0}); err == nil {
		t.Error("shrinking compressed a body that does not start with two zeros")
	}
}
