package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The demo tells the compression the server reported only when the
// capture agrees with it: a story whose event says otherwise is refused.
func TestDemoCertCompressionChecked(t *testing.T) {
	s := readStory(t, filepath.Join(goldenDir, "tls13.story.json"))
	c := s.certComp
	if c.alg != "zstd" || c.sent <= 0 || c.sent >= c.uncompressed || strings.Join(c.offered, ",") != "zstd,brotli,zlib" {
		t.Fatalf("the recorded story's certificate: %+v", c)
	}
	ev := *s.certEvent
	for name, e := range map[string]certSent{
		"length":     {detail: ev.detail, length: ev.length + 1},
		"algorithm":  {detail: strings.Replace(ev.detail, "zstd", "brotli", 1), length: ev.length},
		"plain":      {detail: "", length: ev.length},
		"unreadable": {detail: "CompressedCertificate zstd", length: ev.length},
	} {
		s.certEvent = &e
		if _, err := s.certCompression(); err == nil {
			t.Errorf("%s: an event that disagrees with the capture was accepted", name)
		}
	}
	s.certEvent = &ev
	if got, err := s.certCompression(); err != nil || got.alg != c.alg || got.sent != c.sent {
		t.Fatalf("the recorded event: %+v, %v", got, err)
	}
}
