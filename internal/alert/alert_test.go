package alert

import (
	"errors"
	"fmt"
	"testing"
)

func TestNames(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range descriptions {
		if e.d.String() != e.name || seen[e.name] {
			t.Errorf("%d: name %q (duplicate: %v)", e.d, e.d.String(), seen[e.name])
		}
		seen[e.name] = true
	}
	if got := Description(255).String(); got != "alert(255)" {
		t.Errorf("unknown alert named %q", got)
	}
	// Spot checks against RFC 8446 §6 code points.
	for d, want := range map[Description]string{20: "bad_record_mac", 47: "illegal_parameter", 109: "missing_extension", 120: "no_application_protocol"} {
		if d.String() != want {
			t.Errorf("%d is %q, want %q", d, d.String(), want)
		}
	}
}

func TestOf(t *testing.T) {
	base := New(DecodeError, "ClientHello: cipher_suites length %d is odd", 3)
	wrapped := fmt.Errorf("reading hello: %w", base)
	if Of(wrapped) != DecodeError {
		t.Fatalf("Of(wrapped) = %v", Of(wrapped))
	}
	if Of(errors.New("plain")) != InternalError {
		t.Fatal("an unclassified error must be internal_error")
	}
	if got := base.Error(); got != "ClientHello: cipher_suites length 3 is odd (alert decode_error)" {
		t.Fatalf("Error() = %q", got)
	}
	cause := errors.New("cause")
	if !errors.Is(&Error{Desc: HandshakeFailure, Err: cause}, cause) {
		t.Fatal("Unwrap does not reach the cause")
	}
}
