package testredis

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestStopRestart checks the life cycle the failure tests rely on: a
// server that answers, a stopped one whose port refuses, and a restarted
// one on the same address that answers again and has forgotten its data.
func TestStopRestart(t *testing.T) {
	s := Start(t)
	if got, err := s.Do("SET", "k", "v"); err != nil || got != "OK" {
		t.Fatalf("SET = %q, %v; want OK", got, err)
	}
	if got, err := s.Do("GET", "k"); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}
	addr := s.Addr()

	s.Stop()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", addr)
	}
	if _, err := s.Do("PING"); err == nil {
		t.Fatal("PING succeeded after Stop")
	}

	s.Restart()
	if s.Addr() != addr {
		t.Fatalf("Restart moved the server from %s to %s", addr, s.Addr())
	}
	if got, err := s.Do("GET", "k"); err != nil || got != "" {
		t.Fatalf("GET after Restart = %q, %v; want a null reply (nothing persisted)", got, err)
	}
}

// TestDoError checks that a Redis error reply comes back as an error.
func TestDoError(t *testing.T) {
	s := Start(t)
	if _, err := s.Do("NOSUCHCOMMAND"); err == nil {
		t.Fatal("an unknown command returned no error")
	}
}

// TestFreezeThaw checks that a frozen server takes connections but does
// not answer, and answers again after Thaw.
func TestFreezeThaw(t *testing.T) {
	s := Start(t)
	s.Freeze()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatalf("dialing a frozen server: %v (the kernel should still accept)", err)
	}
	c.Close()
	// A frozen process cannot answer whatever the deadline, so a short
	// one only saves time; it is not a budget the test could miss.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if got, err := command(ctx, s.Addr(), "PING"); err == nil {
		t.Fatalf("a frozen server answered PING with %q", got)
	}
	s.Thaw()
	if got, err := s.Do("PING"); err != nil || got != "PONG" {
		t.Fatalf("PING after Thaw = %q, %v", got, err)
	}
}
