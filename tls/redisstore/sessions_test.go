package redisstore

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"lucid/internal/testredis"
	"lucid/tls"
)

func TestSessions(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	id := bytes.Repeat([]byte{0xab}, 32)
	sealed := []byte("sealed session bytes")

	if _, err := s.GetSession(ctx, id); !errors.Is(err, tls.ErrSessionNotFound) {
		t.Fatalf("GetSession before Put = %v; want ErrSessionNotFound", err)
	}
	if err := s.PutSession(ctx, id, sealed, time.Hour); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	got, err := s.GetSession(ctx, id)
	if err != nil || !bytes.Equal(got, sealed) {
		t.Fatalf("GetSession = %q, %v; want %q", got, err, sealed)
	}
	key := "lucid:s:" + strings.Repeat("ab", 32)
	if v, err := srv.Do("GET", key); err != nil || v != string(sealed) {
		t.Fatalf("GET %s = %q, %v; want the sealed session under its hex id", key, v, err)
	}
	pttl, err := srv.Do("PTTL", key)
	if ms, _ := strconv.Atoi(pttl); err != nil || ms <= 0 || ms > int(time.Hour/time.Millisecond) {
		t.Fatalf("PTTL %s = %q, %v; want an expiry within the hour asked", key, pttl, err)
	}
}

// TestSessionExpiryCapped checks RFC 5246 Appendix F.1.4's advice: a
// session ID is kept no more than 24 hours, whatever the caller asks.
func TestSessionExpiryCapped(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	if err := s.PutSession(ctx, []byte{1}, []byte("x"), 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	pttl, err := srv.Do("PTTL", "lucid:s:01")
	if ms, _ := strconv.Atoi(pttl); err != nil || ms <= 0 || ms > int(24*time.Hour/time.Millisecond) {
		t.Fatalf("PTTL = %q, %v; want at most 24 hours", pttl, err)
	}
}

func TestSessionExpires(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	id := []byte("short-lived")
	if err := s.PutSession(ctx, id, []byte("x"), 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the session to expire", func() bool {
		ctx, cancel := callCtx(t)
		defer cancel()
		_, err := s.GetSession(ctx, id)
		return errors.Is(err, tls.ErrSessionNotFound)
	})
	// One already expired is not stored at all.
	if err := s.PutSession(ctx, id, []byte("x"), -time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, id); !errors.Is(err, tls.ErrSessionNotFound) {
		t.Fatalf("GetSession of an expired Put = %v; want ErrSessionNotFound", err)
	}
}

func TestSessionLimits(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	later := time.Hour
	for _, id := range [][]byte{nil, make([]byte, 33)} {
		if err := s.PutSession(ctx, id, []byte("x"), later); err == nil {
			t.Errorf("PutSession accepted a session ID of %d bytes", len(id))
		}
		if _, err := s.GetSession(ctx, id); err == nil || errors.Is(err, tls.ErrSessionNotFound) {
			t.Errorf("GetSession of a %d-byte ID = %v; want a refusal", len(id), err)
		}
	}
	if err := s.PutSession(ctx, []byte{2}, make([]byte, tls.MaxStoredSessionLen+1), later); err == nil {
		t.Error("PutSession accepted a session longer than MaxStoredSessionLen")
	}
	// A value too long put behind the store's back is refused on the way
	// out, not handed to the TLS server.
	if _, err := srv.Do("SET", "lucid:s:03", strings.Repeat("z", tls.MaxStoredSessionLen+1)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetSession(ctx, []byte{3}); err == nil || errors.Is(err, tls.ErrSessionNotFound) {
		t.Fatalf("GetSession of an oversized value = %d bytes, %v; want an error", len(got), err)
	}
}
