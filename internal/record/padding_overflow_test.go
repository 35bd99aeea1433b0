package record

import (
	"bytes"
	"testing"

	"lucid/internal/alert"
)

// TestPaddedOverflow: RFC 8446 §5.4 bounds the whole TLSInnerPlaintext,
// padding included, at 2^14+1 bytes. Content within the limit does not
// excuse padding beyond it (BoGo LargePlaintext-TLS13-Padded-*).
func TestPaddedOverflow(t *testing.T) {
	for _, tt := range []struct {
		content, padding int
		want             alert.Description // 0: accepted
	}{
		{8192, 8192, 0},                    // 16385 bytes: exactly the limit
		{8192, 8193, alert.RecordOverflow}, // one byte over
		{MaxPlaintext - 1, 1, 0},
		{MaxPlaintext, 1, alert.RecordOverflow},
	} {
		inner := append(bytes.Repeat([]byte{'x'}, tt.content), TypeApplicationData)
		inner = append(inner, make([]byte, tt.padding)...)
		typ, p, err := open(fresh(t), craft(t, inner))
		if tt.want != 0 {
			wantAlert(t, "padded record", err, tt.want)
			continue
		}
		if err != nil || typ != TypeApplicationData || len(p) != tt.content {
			t.Errorf("%d bytes + %d padding: type %d, %d bytes, %v", tt.content, tt.padding, typ, len(p), err)
		}
	}
}
